# Installs Boost.MillIO into a scratch prefix, then configures, builds and
# runs a consumer project that finds it with find_package(boost_millio).
file(REMOVE_RECURSE ${BINARY_DIR})
set(prefix ${BINARY_DIR}/prefix)
function(step)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "step failed (${rc}): ${ARGN}")
    endif()
endfunction()
step(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BINARY_DIR}/lib
    -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF
    -DBOOST_MILLIO_BUILD_EXAMPLES=OFF -DBOOST_MILLIO_BUILD_BENCH=OFF
    -DCMAKE_INSTALL_PREFIX=${prefix})
step(${CMAKE_COMMAND} --build ${BINARY_DIR}/lib --target install)
step(${CMAKE_COMMAND} -S ${SOURCE_DIR}/test/cmake_install_test -B ${BINARY_DIR}/consumer
    -DCMAKE_PREFIX_PATH=${prefix})
step(${CMAKE_COMMAND} --build ${BINARY_DIR}/consumer)
step(${BINARY_DIR}/consumer/main)
