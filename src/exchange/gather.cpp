#include "cortexsim/exchange/gather.hpp"

#include <petscvec.h>

#include <vector>

#include "cortexsim/common/collective.hpp"
#include "petsc_check.hpp"

namespace cortexsim {

struct gather_to_root::impl {
    Vec local = nullptr, all = nullptr;
    VecScatter scatter = nullptr;
    bool root = false;
    std::vector<double> copy;
    ~impl() {
        VecScatterDestroy(&scatter);
        VecDestroy(&all);
        VecDestroy(&local);
    }
};

gather_to_root::gather_to_root(MPI_Comm comm, const block_partition& part) : impl_(std::make_unique<impl>()) {
    const int me = comm_rank(comm);
    impl_->root = me == 0;
    CS_PETSC(VecCreateMPIWithArray(comm, 1, static_cast<PetscInt>(part.count(me)),
                                   static_cast<PetscInt>(part.n_areas()), nullptr, &impl_->local));
    CS_PETSC(VecScatterCreateToZero(impl_->local, &impl_->scatter, &impl_->all));
    impl_->copy.assign(impl_->root ? part.n_areas() : 0, 0.0);
}

gather_to_root::~gather_to_root() = default;

const double* gather_to_root::gather(const double* local) {
    impl& m = *impl_;
    CS_PETSC(VecPlaceArray(m.local, local));
    CS_PETSC(VecScatterBegin(m.scatter, m.local, m.all, INSERT_VALUES, SCATTER_FORWARD));
    CS_PETSC(VecScatterEnd(m.scatter, m.local, m.all, INSERT_VALUES, SCATTER_FORWARD));
    CS_PETSC(VecResetArray(m.local));
    if (!m.root) return nullptr;
    const PetscScalar* a = nullptr;
    CS_PETSC(VecGetArrayRead(m.all, &a));
    for (std::size_t i = 0; i < m.copy.size(); ++i) m.copy[i] = a[i];
    CS_PETSC(VecRestoreArrayRead(m.all, &a));
    return m.copy.data();
}

}  // namespace cortexsim
