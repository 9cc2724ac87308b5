#pragma once
// Turning a failure on some ranks into the same error on every rank, so that no rank hangs in a
// collective call while another has given up. Used at phase boundaries (set-up, output, finish),
// never inside the time-step loop.
#include <mpi.h>

#include <functional>
#include <string>
#include <vector>

namespace cortexsim {

/// Runs fn on every rank. If it throws on any rank, every rank throws the error of the lowest failing rank,
/// with its type (config_error, data_error, ...; a std::exception that is not a cortexsim::error becomes a
/// cortexsim::error with its message). Collective over comm.
void run_collectively(MPI_Comm comm, const std::function<void()>& fn);

/// Broadcasts a string from root to all ranks of comm.
std::string broadcast_string(MPI_Comm comm, const std::string& s, int root = 0);

/// Broadcasts a vector of strings from root.
std::vector<std::string> broadcast_strings(MPI_Comm comm, const std::vector<std::string>& v, int root = 0);

/// The host name of every rank of comm, in rank order, on every rank (collective). Written compactly, runs of
/// consecutive ranks on the same host as NAME*COUNT: "node1*2,node2*2" for ranks 0, 1 on node1 and 2, 3 on
/// node2; "node1,node2" for one rank on each.
std::string rank_hosts(MPI_Comm comm);

int comm_rank(MPI_Comm comm);
int comm_size(MPI_Comm comm);

/// Checks an MPI return code; throws mpi_error naming the call.
void check_mpi(int rc, const char* what);

}  // namespace cortexsim
