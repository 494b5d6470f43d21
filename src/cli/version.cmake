# Writes the source of `desk --version` (run with cmake -P at every build, so the revision it
# names is the one built, not the one configured). configure_file leaves the output untouched
# while its text is unchanged, so an unchanged revision rebuilds nothing.
#   -DSOURCE_DIR=... -DINPUT=version.cpp.in -DOUTPUT=version.cpp -DPROJECT_VERSION=x.y.z
#   [-DGIT_EXECUTABLE=/usr/bin/git]
set(DESK_REVISION "not built from a git checkout")
if(GIT_EXECUTABLE)
  execute_process(COMMAND ${GIT_EXECUTABLE} describe --always --dirty
    WORKING_DIRECTORY ${SOURCE_DIR} OUTPUT_VARIABLE DESK_GIT_DESCRIBE
    RESULT_VARIABLE DESK_GIT_RESULT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(DESK_GIT_RESULT EQUAL 0 AND DESK_GIT_DESCRIBE)
    set(DESK_REVISION "git ${DESK_GIT_DESCRIBE}")
  endif()
endif()
configure_file(${INPUT} ${OUTPUT} @ONLY)
