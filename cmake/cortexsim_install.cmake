# Installation and the CMake package `cortexsim` (docs/install.md), driven by one list of layer libraries.
#
#   cortexsim_install(LIBRARIES <layer targets...> EXECUTABLE <target>)
#
# called once at the end of src/CMakeLists.txt. Installs the executable (bin/), the public headers
# (include/cortexsim/, plus the generated cortexsim/build_info.hpp), the static libraries (lib/) and
# lib/cmake/cortexsim/{cortexsimConfig,cortexsimConfigVersion,cortexsimTargets}.cmake. Every library is exported
# as cortexsim::<name without the cortexsim_ prefix> (cortexsim_common -> cortexsim::common), and the umbrella
# target cortexsim::cortexsim links them all. Libraries listed but not defined (optional layers) are skipped;
# a static library defined in src/ but not listed is an error, because the installed package would lack it.
include(CMakePackageConfigHelpers)

function(cortexsim_install)
  cmake_parse_arguments(arg "" "EXECUTABLE" "LIBRARIES" ${ARGN})
  set(cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/cortexsim)

  set(libraries "")
  foreach(lib IN LISTS arg_LIBRARIES)
    if(TARGET ${lib})
      list(APPEND libraries ${lib})
    endif()
  endforeach()
  get_property(defined DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t IN LISTS defined)
    get_target_property(type ${t} TYPE)
    if(type STREQUAL "STATIC_LIBRARY" AND NOT t IN_LIST libraries)
      message(FATAL_ERROR "library ${t} is not installed: add it to CORTEXSIM_LAYER_LIBRARIES in src/CMakeLists.txt")
    endif()
  endforeach()

  # build-tree aliases with the installed names, so that code written against the package also works in-tree
  foreach(lib IN LISTS libraries)
    string(REGEX REPLACE "^cortexsim_" "" name ${lib})
    set_target_properties(${lib} PROPERTIES EXPORT_NAME ${name})
    add_library(cortexsim::${name} ALIAS ${lib})
  endforeach()

  # the umbrella target (named cortexsim_all here, since the executable is `cortexsim`)
  add_library(cortexsim_all INTERFACE)
  target_link_libraries(cortexsim_all INTERFACE ${libraries})
  set_target_properties(cortexsim_all PROPERTIES EXPORT_NAME cortexsim)
  add_library(cortexsim::cortexsim ALIAS cortexsim_all)
  set_target_properties(cortexsim_options PROPERTIES EXPORT_NAME options)

  install(TARGETS ${libraries} cortexsim_all cortexsim_options EXPORT cortexsimTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(TARGETS ${arg_EXECUTABLE} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/cortexsim DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
          FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h")
  install(FILES ${PROJECT_BINARY_DIR}/generated/cortexsim/build_info.hpp
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cortexsim)

  install(EXPORT cortexsimTargets NAMESPACE cortexsim:: DESTINATION ${cmake_dir})
  set(CORTEXSIM_EXPORTED_TARGETS "")
  foreach(lib IN LISTS libraries)
    get_target_property(name ${lib} EXPORT_NAME)
    list(APPEND CORTEXSIM_EXPORTED_TARGETS cortexsim::${name})
  endforeach()
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cortexsimConfig.cmake.in
                                ${PROJECT_BINARY_DIR}/package/cortexsimConfig.cmake
                                INSTALL_DESTINATION ${cmake_dir}
                                PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
  # 0.x: a minor version may break the interface
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/cortexsimConfigVersion.cmake
                                   VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/package/cortexsimConfig.cmake
                ${PROJECT_BINARY_DIR}/package/cortexsimConfigVersion.cmake
          DESTINATION ${cmake_dir})
endfunction()
