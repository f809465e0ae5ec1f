// The process heap on 2 MB pages where the kernel allows it (transparent
// huge pages, `madvise` mode or `always`), set once at the start of main.
//
// Why: lurk's work is bulk work on a small heap (an ingest's peak is 15-20
// MB), and on the VMs it runs on a page fault costs more than the work done
// in the page: a 2,000-connection capture's ingest took ~3,300 faults
// (connection state, SQLite's page cache, row batches), ~30-40% of its CPU
// time. glibc can do this itself (GLIBC_TUNABLES=glibc.malloc.hugetlb=1), but
// tunables are read before main; this is the same done from inside.
#pragma once

namespace lurk::cli {

// One heap shared by all threads, grown in large steps and never trimmed
// below them, its grown part advised MADV_HUGEPAGE. Does nothing where it
// cannot (not glibc, a sanitizer's allocator, no THP).
void use_huge_pages_for_heap();

}  // namespace lurk::cli
