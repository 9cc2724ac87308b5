# The model library (configs/models/*.yaml, docs/models.md "Model library"). For every config:
#   model_<name>_np2        runs it with --set run.t_end_ms=200 on 2 ranks (exit 0, /rates finite);
#   model_<name>_validate   tests/models/validate_<name>.sh, if present: the model against an independent
#                           reference (a fixed point by a separate Newton solve, a bifurcation value, published
#                           numbers). Scripts get: BIN (cortexsim), TOOLS (build/tests), OUT (scratch), SRC.
file(GLOB CORTEXSIM_MODEL_CONFIGS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/configs/models/*.yaml)
foreach(cfg IN LISTS CORTEXSIM_MODEL_CONFIGS)
  get_filename_component(model ${cfg} NAME_WE)
  add_test(NAME model_${model}_np2
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/models/run_200ms.sh $<TARGET_FILE:cortexsim>
                   ${CMAKE_CURRENT_BINARY_DIR} ${TEST_OUT}/models/${model}_np2 ${cfg})
  set_tests_properties(model_${model}_np2 PROPERTIES TIMEOUT 300 PROCESSORS 2 LABELS "mpi;models"
                       ENVIRONMENT "${CORTEXSIM_MPI_ENV};MPIEXEC=${MPIEXEC_EXECUTABLE}")
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/models/validate_${model}.sh)
    add_test(NAME model_${model}_validate
             COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/models/validate_${model}.sh $<TARGET_FILE:cortexsim>
                     ${CMAKE_CURRENT_BINARY_DIR} ${TEST_OUT}/models/${model}_validate ${PROJECT_SOURCE_DIR})
    set_tests_properties(model_${model}_validate PROPERTIES TIMEOUT 600 PROCESSORS 2 LABELS "mpi;models;validation"
                         ENVIRONMENT "${CORTEXSIM_MPI_ENV};MPIEXEC=${MPIEXEC_EXECUTABLE}")
  endif()
endforeach()
