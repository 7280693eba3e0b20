// torch_plugin.cpp — the entry point of libmbz-torch.so, which the engine
// loads with dlopen when a CUDA device is asked for (accelerator.hpp).
#include "engine/torch_engine.hpp"

extern "C" __attribute__((visibility("default"))) mbz::AcceleratorFactory mbz_accelerator_factory() {
  return &mbz::make_torch_engine;
}
