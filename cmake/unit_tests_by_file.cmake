# lurk_add_unit_tests_by_file(TARGET SOURCE...): one ctest per unit-test source
# file (unit_<file>), running TARGET with a GoogleTest filter naming the suites
# that file defines, plus one catch-all (unit_unlisted) running whatever no
# file's filter names, so a suite this scan misses still runs.
#
# Why not gtest_discover_tests' one process per case: the unit tests run in
# the sanitizer tree, where each process start costs ~0.2 s of CPU (ASan's
# shadow memory and interceptors): 355 cases were ~70 CPU-s of starts, 62
# files are ~12. A failing entry still prints GoogleTest's own report, which
# names the case.
function(lurk_add_unit_tests_by_file target)
  set(all_filters "")
  foreach(source IN LISTS ARGN)
    file(READ "${source}" text)
    # TEST(Suite, Case), TEST_F(Suite, Case), TEST_P(Suite, Case), possibly
    # across lines.
    string(REGEX MATCHALL "TEST(_F|_P)?\\([ \t\r\n]*[A-Za-z0-9_]+[ \t\r\n]*," macros "${text}")
    set(suites "")
    foreach(macro IN LISTS macros)
      string(REGEX REPLACE "^TEST(_F|_P)?\\([ \t\r\n]*([A-Za-z0-9_]+).*" "\\2" suite "${macro}")
      # Parameterized suites are named Prefix/Suite.Case/N.
      if(macro MATCHES "^TEST_P")
        list(APPEND suites "*/${suite}.*")
      else()
        list(APPEND suites "${suite}.*")
      endif()
    endforeach()
    list(REMOVE_DUPLICATES suites)
    if(NOT suites)
      continue()  # a helper file (builders, fixtures): no tests of its own
    endif()
    list(JOIN suites ":" filter)
    list(APPEND all_filters ${suites})
    get_filename_component(name "${source}" NAME_WE)
    add_test(NAME unit_${name}
             COMMAND ${target} --gtest_filter=${filter} --gtest_brief=1
             WORKING_DIRECTORY "${PROJECT_BINARY_DIR}")
    set_tests_properties(unit_${name} PROPERTIES LABELS unit)
  endforeach()
  list(JOIN all_filters ":" listed)
  add_test(NAME unit_unlisted
           COMMAND ${target} --gtest_filter=-${listed} --gtest_brief=1
           WORKING_DIRECTORY "${PROJECT_BINARY_DIR}")
  set_tests_properties(unit_unlisted PROPERTIES LABELS unit)
endfunction()
