// torch_engine.hpp — the libtorch backend: the CUDA accelerator and, on CPU,
// the tensor-op reference that the CPU backend's kernels are tested against.
// Only libmbz-torch.so, mbz-train and the tests link it.
#pragma once

#include <memory>

#include "engine/accelerator.hpp"

namespace mbz {

// For the registry: a CUDA engine, or null for automatic when there is no GPU;
// throws Error(device_unavailable) for cuda without one.
std::unique_ptr<AcceleratorEngine> make_torch_engine(std::shared_ptr<const ModelFile> model, DeviceKind device);

// Plain tensor ops on the CPU: the oracle of the CPU backend.
std::unique_ptr<AcceleratorEngine> make_torch_reference(std::shared_ptr<const ModelFile> model);

}  // namespace mbz
