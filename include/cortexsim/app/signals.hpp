#pragma once
// SIGTERM, SIGUSR1 and SIGINT set a flag; the run agrees on it across ranks at the next control point,
// writes a checkpoint and exits with exit_checkpointed (docs/reproducibility.md).
namespace cortexsim {

/// Installs the handlers (idempotent).
void install_stop_signal_handlers();
/// The last stop signal received (0 if none).
int stop_signal_received();

}  // namespace cortexsim
