// accelerator.hpp — the interface an accelerator backend implements, and the
// registry through which it reaches the engine.
//
// The codec never links an ML framework. The libtorch backend (CUDA, and the
// tensor-op reference the tests compare the CPU kernels with) is built into
// the plugin libmbz-torch.so when libtorch is found at configure time; asking
// for --device cuda loads it with dlopen and registers the factory its
// extern "C" mbz_accelerator_factory() returns. Programs that link the
// backend directly (the tests) call register_accelerator() themselves.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.hpp"

namespace mbz {

class AcceleratorStepper {
 public:
  virtual ~AcceleratorStepper() = default;
  virtual const std::vector<uint32_t>& tables() = 0;  // [batch, 257] cumulative
  virtual void push(const uint8_t* bytes) = 0;
};

class AcceleratorEngine {
 public:
  virtual ~AcceleratorEngine() = default;
  virtual std::string device_name() const = 0;
  // sink(segment, position, freq[256]) for every byte, from the calling thread.
  virtual void teacher_force(const std::vector<ByteSpan>& segments, const Engine::TableSink& sink,
                             const std::function<void(double)>& progress) const = 0;
  virtual std::unique_ptr<AcceleratorStepper> stepper(int batch) const = 0;
};

// Builds an accelerator engine for `device` (cuda or automatic); returns null
// for automatic when no accelerator device is present; throws
// Error(device_unavailable) when cuda is asked for and there is none.
using AcceleratorFactory = std::unique_ptr<AcceleratorEngine> (*)(std::shared_ptr<const ModelFile>, DeviceKind);

void register_accelerator(AcceleratorFactory factory);
AcceleratorFactory registered_accelerator();  // null when none is registered

// Loads libmbz-torch.so (next to libmbz or the program, then the library
// path) unless an accelerator is registered already. False, with the reason
// in *why, when it cannot be loaded.
bool load_accelerator_plugin(std::string* why);

}  // namespace mbz
