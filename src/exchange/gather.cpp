#include "cortexsim/exchange/gather.hpp"

#include "cortexsim/common/collective.hpp"
#include "cortexsim/exchange/petsc_check.hpp"

namespace cortexsim {

gather_to_root::gather_to_root(MPI_Comm comm, const block_partition& part) {
    const int me = comm_rank(comm);
    root_ = me == 0;
    CS_PETSC(VecCreateMPIWithArray(comm, 1, static_cast<PetscInt>(part.count(me)),
                                   static_cast<PetscInt>(part.n_areas()), nullptr, &local_));
    CS_PETSC(VecScatterCreateToZero(local_, &scatter_, &all_));
    copy_.assign(root_ ? part.n_areas() : 0, 0.0);
}

gather_to_root::~gather_to_root() {
    VecScatterDestroy(&scatter_);
    VecDestroy(&all_);
    VecDestroy(&local_);
}

const double* gather_to_root::gather(const double* local) {
    CS_PETSC(VecPlaceArray(local_, local));
    CS_PETSC(VecScatterBegin(scatter_, local_, all_, INSERT_VALUES, SCATTER_FORWARD));
    CS_PETSC(VecScatterEnd(scatter_, local_, all_, INSERT_VALUES, SCATTER_FORWARD));
    CS_PETSC(VecResetArray(local_));
    if (!root_) return nullptr;
    const PetscScalar* a = nullptr;
    CS_PETSC(VecGetArrayRead(all_, &a));
    for (std::size_t i = 0; i < copy_.size(); ++i) copy_[i] = a[i];
    CS_PETSC(VecRestoreArrayRead(all_, &a));
    return copy_.data();
}

}  // namespace cortexsim
