// Modules with auxiliary classifiers trained beside the main one (GoogLeNet's aux1 and aux2): the interface a
// training loop asks for their logits and loss weights. Not the models (models_zoo.h) nor the loop (train.h).
#pragma once

#include <cnn/tensor.h>

#include <vector>

namespace cnn {

/// One auxiliary classifier's logits [N, classes] and the weight of its loss in the training objective.
struct AuxOutput {
  Tensor logits;
  double weight = 1.0;
};

/// What a training step minimises over: the main logits and the auxiliary heads' (none in eval mode, or when the
/// model was built without them).
struct TrainOutputs {
  Tensor logits;
  std::vector<AuxOutput> aux;
};

/// Implemented by a Module with auxiliary classifiers. train_one_epoch calls forward_train in place of forward and
/// minimises loss(logits) + sum of weight * loss(aux logits); evaluation uses forward (the main logits only).
/// Usage: if (auto* m = dynamic_cast<AuxOutputs*>(&model)) { TrainOutputs out = m->forward_train(x); ... }
class AuxOutputs {
 public:
  virtual ~AuxOutputs() = default;
  virtual TrainOutputs forward_train(const Tensor& x) = 0;
};

}  // namespace cnn
