// The C example of lurk_trace.h compiled as C++: the header must serve both.
#include "lurk_trace_example.c"
