# ---- nonlinear circuits end to end: Mejias & Wang 2022 and Froudist-Walsh 2021 through `cortexsim run` ----
# Included from tests/CMakeLists.txt (uses MPIRUN, CORTEXSIM_MPI_ENV, TEST_OUT).
set(MW_CONFIG ${PROJECT_SOURCE_DIR}/configs/mejiaswang2022.yaml)
set(MW_DATA ${PROJECT_SOURCE_DIR}/configs/data/mejiaswang2022)
set(FW_CONFIG ${PROJECT_SOURCE_DIR}/configs/froudistwalsh2021.yaml)
set(FW_DISTRACTOR_CONFIG ${PROJECT_SOURCE_DIR}/configs/froudistwalsh2021_distractor.yaml)
set(FW_DATA ${PROJECT_SOURCE_DIR}/configs/data/froudistwalsh2021)

function(wm_run name ranks config out)
  add_test(NAME ${name}
           COMMAND ${MPIRUN} ${MPIEXEC_NUMPROC_FLAG} ${ranks} $<TARGET_FILE:cortexsim> run ${config}
                   -o ${out} --overwrite --quiet ${ARGN})
  set_tests_properties(${name} PROPERTIES TIMEOUT 180 PROCESSORS ${ranks} LABELS "mpi;e2e;wm"
                       ENVIRONMENT "${CORTEXSIM_MPI_ENV}" FIXTURES_SETUP ${name}_fx)
endfunction()
function(wm_check name fixtures)
  add_test(NAME ${name} COMMAND ${ARGN})
  set(fx "")
  foreach(f ${fixtures})
    list(APPEND fx ${f}_fx)
  endforeach()
  set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED "${fx}" LABELS "e2e;validation;wm" TIMEOUT 60)
endfunction()

# Mejias & Wang: validation (no noise, as the reference), and bit-identical rates on 1-4 ranks WITH noise.
wm_run(run_mejiaswang_np2 2 ${MW_CONFIG} ${TEST_OUT}/mw_np2.h5)
wm_check(validate_mejiaswang2022 run_mejiaswang_np2
         $<TARGET_FILE:validate_wm> mejiaswang2022 ${TEST_OUT}/mw_np2.h5 ${MW_DATA}/reference_results_computed_APPROX.csv)
set(mw_noise_files "")
set(mw_noise_runs "")
foreach(n 1 2 3 4)
  wm_run(run_mejiaswang_noise_np${n} ${n} ${MW_CONFIG} ${TEST_OUT}/mw_noise_np${n}.h5
         --set model.parameters.noise_sigma_nA=0.01 --set run.t_end_ms=6000)
  list(APPEND mw_noise_files ${TEST_OUT}/mw_noise_np${n}.h5)
  list(APPEND mw_noise_runs run_mejiaswang_noise_np${n})
endforeach()
wm_check(mejiaswang_noise_identical_np1_to_np4 "${mw_noise_runs}" $<TARGET_FILE:compare_rates> ${mw_noise_files})
# Checkpoint at 4.2 s (inside the cue) on 2 ranks with noise, continued on 3: identical to the 1-rank run.
cli_test(wm_restart_with_noise ${CLI}/wm_restart.sh $<TARGET_FILE:cortexsim> ${CMAKE_CURRENT_BINARY_DIR}
         ${TEST_OUT}/wm_restart ${MW_CONFIG} ${TEST_OUT}/mw_noise_np1.h5 4.2
         --set model.parameters.noise_sigma_nA=0.01 --set run.t_end_ms=6000)
set_tests_properties(wm_restart_with_noise PROPERTIES FIXTURES_REQUIRED run_mejiaswang_noise_np1_fx)

# Froudist-Walsh: DA 1.5 validation (23 of 40 areas, all 12 with experimental evidence), the distractor, the
# inverted U over dopamine (the config's sweep), noise: same set, and bit-identical on 1-4 ranks.
wm_run(run_froudistwalsh_np2 2 ${FW_CONFIG} ${TEST_OUT}/fw_np2.h5)
wm_check(validate_froudistwalsh2021 run_froudistwalsh_np2
         $<TARGET_FILE:validate_wm> froudistwalsh2021 ${TEST_OUT}/fw_np2.h5 ${FW_DATA}/reference_results_computed.csv
         ${FW_DATA}/literature_delay_activity_reports_40.csv)
wm_run(run_froudistwalsh_distractor_np2 2 ${FW_DISTRACTOR_CONFIG} ${TEST_OUT}/fw_distractor_np2.h5)
wm_check(validate_froudistwalsh2021_distractor run_froudistwalsh_distractor_np2
         $<TARGET_FILE:validate_wm> froudistwalsh2021_distractor ${TEST_OUT}/fw_distractor_np2.h5
         ${FW_DATA}/reference_results_computed.csv)
set(DA_LEVELS 0.0 0.5 1.0 1.5 2.0 2.5 3.0 4.0)
foreach(kind cue distractor)
  if(kind STREQUAL cue)
    set(cfg ${FW_CONFIG})
    set(mode froudistwalsh2021_sweep)
  else()
    set(cfg ${FW_DISTRACTOR_CONFIG})
    set(mode froudistwalsh2021_distractor_sweep)
  endif()
  add_test(NAME sweep_froudistwalsh_${kind}_np2
           COMMAND ${MPIRUN} ${MPIEXEC_NUMPROC_FLAG} 2 $<TARGET_FILE:cortexsim> sweep ${cfg}
                   -o ${TEST_OUT}/fw_sweep_${kind}.h5 --overwrite --quiet)
  set_tests_properties(sweep_froudistwalsh_${kind}_np2 PROPERTIES TIMEOUT 300 PROCESSORS 2 LABELS "mpi;e2e;wm"
                       ENVIRONMENT "${CORTEXSIM_MPI_ENV}" FIXTURES_SETUP sweep_froudistwalsh_${kind}_fx)
  set(args "")
  foreach(da ${DA_LEVELS})
    list(APPEND args ${da}=${TEST_OUT}/fw_sweep_${kind}_dopamine=${da}.h5)
  endforeach()
  wm_check(validate_froudistwalsh2021_${kind}_sweep sweep_froudistwalsh_${kind}
           $<TARGET_FILE:validate_wm> ${mode} ${FW_DATA}/da_sweep_computed.csv ${args})
endforeach()
set(fw_noise_files "")
set(fw_noise_runs "")
foreach(n 1 2 3 4)
  wm_run(run_froudistwalsh_noise_np${n} ${n} ${FW_CONFIG} ${TEST_OUT}/fw_noise_np${n}.h5
         --set model.parameters.noise_sigma_nA=0.005)
  list(APPEND fw_noise_files ${TEST_OUT}/fw_noise_np${n}.h5)
  list(APPEND fw_noise_runs run_froudistwalsh_noise_np${n})
endforeach()
wm_check(froudistwalsh_noise_identical_np1_to_np4 "${fw_noise_runs}" $<TARGET_FILE:compare_rates> ${fw_noise_files})
wm_check(validate_froudistwalsh2021_noise run_froudistwalsh_noise_np2
         $<TARGET_FILE:validate_wm> froudistwalsh2021_noise ${TEST_OUT}/fw_noise_np2.h5 ${FW_DATA}/reference_results_computed.csv)
# Perturbations: lesion, silencing, modulator windows (tests/cli/perturbations.sh).
cli_test(wm_perturbations ${CLI}/perturbations.sh $<TARGET_FILE:cortexsim> ${CMAKE_CURRENT_BINARY_DIR}
         ${TEST_OUT}/perturb ${MW_CONFIG} ${FW_CONFIG} ${TEST_OUT}/fw_np2.h5)
set_tests_properties(wm_perturbations PROPERTIES FIXTURES_REQUIRED run_froudistwalsh_np2_fx PROCESSORS 3)
# Froudist-Walsh Fig 4: short-term facilitation keeps an activity-silent trace that a ping reactivates.
add_test(NAME froudistwalsh_stp_ping
         COMMAND bash ${CLI}/fw_stp.sh $<TARGET_FILE:cortexsim> ${TEST_OUT}/fw_stp ${PROJECT_SOURCE_DIR}/configs/froudistwalsh2021_stp.yaml)
set_tests_properties(froudistwalsh_stp_ping PROPERTIES TIMEOUT 300 PROCESSORS 2 LABELS "mpi;e2e;wm"
                     ENVIRONMENT "${CORTEXSIM_MPI_ENV};MPIEXEC=${MPIEXEC_EXECUTABLE}")
