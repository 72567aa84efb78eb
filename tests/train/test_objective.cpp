// What train_one_epoch minimises beyond the cross-entropy: the L1 penalty (value and gradient lambda * sign(w) on
// conv and linear weights only) and GoogLeNet's auxiliary classifiers (main + 0.3 x (aux1 + aux2), heads trained).
#include <cnn/models.h>
#include <cnn/optim_utils.h>
#include <cnn/random.h>
#include <cnn/train.h>

#include "synthetic.h"
#include "test_util.h"

namespace cnn {
namespace {

// One training step of `model` on the first batch of `loader` (lr 0: the weights stay), returning the batch loss;
// the gradients of that step stay in the parameters' .grad.
double one_step(Module& model, DataLoader& loader, const TrainOptions& options) {
  SGD opt(model.parameters(), {.lr = 0.0});
  double loss = 0.0;
  TrainOptions o = options;
  o.max_steps = 1;
  o.on_step = [&loss](const StepInfo& s) { loss = s.batch_loss; };
  loader.set_epoch(0);
  train_one_epoch(model, loader, opt, o);
  return loss;
}

std::vector<float> grad_of(const Module& model, const std::string& name) {
  return model.named_parameters()[name].grad().to_vector<float>();
}

TEST(L1Penalty, IsLambdaTimesTheAbsoluteSumWithSignGradient) {
  Tensor w = from_vector(std::vector<float>{0.5f, -2.0f, 0.0f, 1.5f}, {2, 2}).requires_grad_();
  Tensor v = from_vector(std::vector<float>{-1.0f}, {1, 1}).requires_grad_();
  Tensor penalty = l1_penalty({w, v}, 0.1);
  EXPECT_NEAR(penalty.item(), 0.1 * (0.5 + 2.0 + 0.0 + 1.5 + 1.0), 1e-6);
  penalty.backward();
  EXPECT_EQ(w.grad().to_vector<float>(), (std::vector<float>{0.1f, -0.1f, 0.0f, 0.1f})) << "sign(0) = 0";
  EXPECT_EQ(v.grad().to_vector<float>(), (std::vector<float>{-0.1f}));
  EXPECT_EQ(l1_penalty({}, 0.1).item(), 0.0);
  EXPECT_NE(test::error_message([&] { l1_penalty({w}, -1.0); }).find("l1_penalty: lambda must be >= 0"),
            std::string::npos);
}

// A tiny Linear model on the band data: the step's gradient with l1 is the plain one + lambda * sign(w) on the
// weights, and the same on the bias; the loss reported includes the penalty (as Keras reports it).
TEST(L1Penalty, TrainingStepAddsLambdaSignToWeightGradientsOnly) {
  constexpr double kLambda = 0.05;
  auto make_model = [] {
    manual_seed(4);
    auto m = std::make_shared<Sequential>();
    m->push_back(Flatten());
    m->push_back(Linear(3 * 12 * 12, 4));
    return m;
  };
  DataLoader loader(test::band_data(8, 4, false), {.batch_size = 8, .seed = 1, .num_workers = 0});
  auto plain = make_model(), regularised = make_model();
  const double plain_loss = one_step(*plain, loader, {});
  const double l1_loss = one_step(*regularised, loader, {.l1 = kLambda});

  const Tensor weight = regularised->named_parameters()["1.weight"];
  double abs_sum = 0.0;
  for (float x : weight.to_vector<float>()) abs_sum += std::abs(x);
  EXPECT_NEAR(l1_loss, plain_loss + kLambda * abs_sum, 1e-4);

  const std::vector<float> g0 = grad_of(*plain, "1.weight"), g1 = grad_of(*regularised, "1.weight");
  const std::vector<float> w = weight.to_vector<float>();
  ASSERT_EQ(g0.size(), g1.size());
  for (size_t i = 0; i < g0.size(); ++i) {
    const double sign = w[i] > 0 ? 1.0 : (w[i] < 0 ? -1.0 : 0.0);
    ASSERT_NEAR(g1[i], g0[i] + kLambda * sign, 1e-6) << "weight element " << i;
  }
  EXPECT_EQ(grad_of(*regularised, "1.bias"), grad_of(*plain, "1.bias")) << "biases get no penalty";
}

TEST(L1Penalty, SkipsBiasesAndNormParameters) {
  manual_seed(2);
  auto model = test::small_cnn(4);
  std::vector<std::string> names;
  const auto [no_decay, decay] = split_weight_decay(*model);
  for (const auto& [name, p] : model->named_parameters())
    for (const Tensor& d : decay)
      if (d.is_same(p)) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"0.weight", "6.weight"})) << "conv and linear weights only";
}

// GoogLeNet with aux_logits at 32x32: the step's loss is main + 0.3 x (aux1 + aux2) computed by hand from
// forward_with_aux with the same dropout draws, and the auxiliary heads receive gradients (a plain loop through
// forward gives them none).
TEST(AuxOutputs, GoogLeNetTrainsItsAuxiliaryClassifiers) {
  manual_seed(6);
  auto net = models::googlenet({.num_classes = 3, .aux_logits = true});
  auto raw = std::make_shared<test::BandDataset>(4, 3, 32);
  auto data = std::make_shared<TransformedDataset>(
      raw, transforms::create_transform({.is_training = false, .mean = {0.3f, 0.3f, 0.3f}, .std = {0.3f, 0.3f, 0.3f}},
                                        raw->image_shape()));
  DataLoader loader(data, {.batch_size = 4, .seed = 1, .num_workers = 0});
  Tensor x, y;
  for (const Batch& b : loader) {
    x = b.images.clone();
    y = b.labels.clone();
    break;
  }

  net->train();
  manual_seed(9);  // the dropout draws of the step below
  double hand = 0.0;
  {
    NoGradGuard no_grad;
    const models::GoogLeNet::Outputs out = net->forward_with_aux(x);
    ASSERT_TRUE(out.aux_logits1.defined() && out.aux_logits2.defined());
    hand = cross_entropy(out.logits, y).item() +
           0.3 * (cross_entropy(out.aux_logits1, y).item() + cross_entropy(out.aux_logits2, y).item());
  }
  manual_seed(9);
  const double loss = one_step(*net, loader, {});
  EXPECT_NEAR(loss, hand, 1e-5 * std::abs(hand));
  for (const char* head : {"aux1.fc2.weight", "aux2.fc2.weight", "aux1.conv.conv.weight"}) {
    const Tensor g = net->named_parameters()[head].grad();
    ASSERT_TRUE(g.defined()) << head;
    double norm = 0.0;
    for (float v : g.to_vector<float>()) norm += std::abs(v);
    EXPECT_GT(norm, 0.0) << head;
  }

  net->zero_grad();
  cross_entropy((*net)(x), y).backward();  // forward: the main logits only
  EXPECT_FALSE(net->named_parameters()["aux1.fc2.weight"].grad().defined());
  net->eval();
  EXPECT_TRUE(net->forward_train(x).aux.empty()) << "eval mode: the main logits only";
}

}  // namespace
}  // namespace cnn
