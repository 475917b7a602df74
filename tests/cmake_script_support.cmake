# cmake_script_support.cmake — what the -P test scripts share (include()d).

# run(COMMAND...): runs it; stops the script with the command, its status and
# its output when it fails; leaves stdout+stderr in `last_output`.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "failed (${status}): ${cmd}\n${out}\n${err}")
  endif()
  set(last_output "${out}${err}" PARENT_SCOPE)
endfunction()

# require_definitions(SCRIPT NAME...): every -DNAME=... was given to SCRIPT.
macro(require_definitions script)
  foreach(v ${ARGN})
    if(NOT DEFINED ${v})
      message(FATAL_ERROR "${script}: -D${v}=... is required")
    endif()
  endforeach()
endmacro()

# install_to(BUILD PREFIX): cmake --install of a build tree into a fresh prefix.
function(install_to build prefix)
  file(REMOVE_RECURSE ${prefix})
  run(${CMAKE_COMMAND} --install ${build} --prefix ${prefix})
endfunction()
