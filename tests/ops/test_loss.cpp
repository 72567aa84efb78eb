// Losses: cross_entropy (reductions, label smoothing, ignore_index), soft_target_cross_entropy, nll_loss, mse_loss —
// hand cases, finite differences, backend parity and PyTorch fixtures.
#include "test_util.h"

#include <cmath>

using namespace cnn;

TEST(Loss, HandComputedCrossEntropy) {
  // Uniform logits over 4 classes: loss = log(4); gradient = (softmax - onehot) / N.
  Tensor logits = zeros({2, 4});
  logits.requires_grad_();
  Tensor target = from_vector(std::vector<int64_t>{1, 3}, {2});
  Tensor loss = cross_entropy(logits, target);
  EXPECT_NEAR(loss.item(), std::log(4.0), 1e-6);
  loss.backward();
  EXPECT_EQ(logits.grad().to_vector<float>(),
            std::vector<float>({0.125f, -0.375f, 0.125f, 0.125f, 0.125f, 0.125f, 0.125f, -0.375f}));
  EXPECT_NEAR(cross_entropy(logits, target, {.reduction = Reduction::sum}).item(), 2 * std::log(4.0), 1e-6);
  EXPECT_EQ(cross_entropy(logits, target, {.reduction = Reduction::none}).shape(), Shape({2}));
}

TEST(Loss, HandComputedMseAndNll) {
  Tensor a = from_vector(std::vector<float>{1, 2, 3}, {3}), b = from_vector(std::vector<float>{1, 0, 0}, {3});
  EXPECT_NEAR(mse_loss(a, b).item(), 13.0 / 3.0, 1e-6);
  EXPECT_NEAR(mse_loss(a, b, Reduction::sum).item(), 13.0, 1e-6);
  Tensor lp = from_vector(std::vector<float>{-1, -2, -3, -4}, {2, 2});
  EXPECT_NEAR(nll_loss(lp, from_vector(std::vector<int64_t>{1, 0}, {2})).item(), 2.5, 1e-6);
}

TEST(Loss, ErrorsNameTheOpAndShapes) {
  try {
    cross_entropy(zeros({4, 10}), from_vector(std::vector<int64_t>{1, 2, 12, 3}, {4}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "cross_entropy: target 12 out of range for 10 classes at index 2");
  }
  try {
    cross_entropy(zeros({4, 10}), zeros({3}, DType::i64));
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "cross_entropy: expected target [4] for input [4, 10], got target [3]");
  }
  EXPECT_THROW(cross_entropy(zeros({4, 10}), zeros({4})), Error);
  EXPECT_THROW(mse_loss(zeros({2}), zeros({3})), Error);
}

TEST(Loss, FiniteDifferenceGradients) {
  manual_seed(5);
  Tensor logits = test::uniform({4, 6}, true);
  Tensor target = from_vector(std::vector<int64_t>{0, 5, 2, 2}, {4});
  EXPECT_TRUE(test::gradcheck([&](auto& in) { return cross_entropy(in[0] * 3.0, target, {.label_smoothing = 0.2}); },
                              {logits}, 1e-3));
  EXPECT_TRUE(test::gradcheck([&](auto& in) { return nll_loss(log_softmax(in[0], 1), target); }, {logits}, 1e-3));
  Tensor t = test::uniform({4, 6});
  EXPECT_TRUE(test::gradcheck([&](auto& in) { return mse_loss(in[0], t); }, {logits}, 1e-3));
}

TEST(Loss, BackendParity) {
  manual_seed(9);
  Tensor logits = test::uniform({5, 13}, true);
  Tensor target = randint(0, 13, {5});
  EXPECT_TRUE(test::backend_parity([&](auto& in) { return cross_entropy(in[0], target, {.label_smoothing = 0.1}); },
                                   {logits}));
}

TEST(Loss, MatchesPyTorch) {
  const std::string f = "math";
  for (std::string red : {"mean", "sum"})
    for (std::string ls : {"0.0", "0.1"}) {
      const std::string c = "ce_" + red + "_" + ls;
      Tensor logits = test::fixture(f, c, "logits");
      logits.requires_grad_();
      Tensor loss = cross_entropy(logits, test::fixture(f, c, "target"),
                                  {.reduction = red == "mean" ? Reduction::mean : Reduction::sum,
                                   .label_smoothing = std::stod(ls)});
      EXPECT_ALLCLOSE(loss, test::fixture(f, c, "loss"), 1e-5, 1e-6) << c;
      loss.backward();
      EXPECT_ALLCLOSE(logits.grad(), test::fixture(f, c, "grad"), 1e-4, 1e-6) << c;
    }
  Tensor logits = test::fixture(f, "ce_ignore", "logits");
  logits.requires_grad_();
  Tensor loss = cross_entropy(logits, test::fixture(f, "ce_ignore", "target"));
  EXPECT_ALLCLOSE(loss, test::fixture(f, "ce_ignore", "loss"), 1e-5, 1e-6);
  loss.backward();
  EXPECT_ALLCLOSE(logits.grad(), test::fixture(f, "ce_ignore", "grad"), 1e-4, 1e-6);

  Tensor lp = test::fixture(f, "nll", "logp");
  lp.requires_grad_();
  Tensor nll = nll_loss(lp, test::fixture(f, "nll", "target"));
  EXPECT_ALLCLOSE(nll, test::fixture(f, "nll", "loss"));
  nll.backward();
  EXPECT_ALLCLOSE(lp.grad(), test::fixture(f, "nll", "grad"));

  Tensor in = test::fixture(f, "mse", "input");
  in.requires_grad_();
  Tensor mse = mse_loss(in, test::fixture(f, "mse", "target"));
  EXPECT_ALLCLOSE(mse, test::fixture(f, "mse", "loss"));
  mse.backward();
  EXPECT_ALLCLOSE(in.grad(), test::fixture(f, "mse", "grad"));
}

// timm's SoftTargetCrossEntropy: sum_c -t_c log_softmax(x)_c, by hand in double and as PyTorch computes it:
//   F.cross_entropy(torch.tensor([[1., 2., 3.], [0., -1., .5]]), torch.tensor([[.2, .3, .5], [1., 0., 0.]]))
//   = 1.1058683395385742 (per sample 1.1076059341430664, 1.1041306257247925)
TEST(Loss, SoftTargetCrossEntropyByHandAndAsPyTorch) {
  const std::vector<std::vector<double>> x{{1, 2, 3}, {0, -1, 0.5}}, t{{0.2, 0.3, 0.5}, {1, 0, 0}};
  double hand = 0.0;
  for (size_t n = 0; n < 2; ++n) {
    const double lse = std::log(std::exp(x[n][0]) + std::exp(x[n][1]) + std::exp(x[n][2]));
    for (size_t c = 0; c < 3; ++c) hand -= t[n][c] * (x[n][c] - lse) / 2.0;
  }
  const Tensor logits = from_vector(std::vector<float>{1, 2, 3, 0, -1, 0.5f}, {2, 3});
  const Tensor target = from_vector(std::vector<float>{0.2f, 0.3f, 0.5f, 1, 0, 0}, {2, 3});
  EXPECT_NEAR(soft_target_cross_entropy(logits, target).item(), hand, 1e-6);
  EXPECT_NEAR(soft_target_cross_entropy(logits, target).item(), 1.1058683395385742, 1e-6);
  EXPECT_ALLCLOSE(soft_target_cross_entropy(logits, target, Reduction::none),
                  from_vector(std::vector<float>{1.1076059341430664f, 1.1041306257247925f}, {2}));
  EXPECT_NEAR(soft_target_cross_entropy(logits, target, Reduction::sum).item(), 2.2117366790771484, 1e-5);
  // One-hot targets give the ordinary cross-entropy.
  const Tensor one_hot = from_vector(std::vector<float>{0, 0, 1, 1, 0, 0}, {2, 3});
  EXPECT_NEAR(soft_target_cross_entropy(logits, one_hot).item(),
              cross_entropy(logits, from_vector(std::vector<int64_t>{2, 0}, {2})).item(), 1e-6);
}

TEST(Loss, SoftTargetCrossEntropyGradcheckAndErrors) {
  manual_seed(3);
  const Tensor target = softmax(test::uniform({3, 5}), 1);
  EXPECT_TRUE(test::gradcheck([&](const std::vector<Tensor>& in) { return soft_target_cross_entropy(in[0], target); },
                              {test::uniform({3, 5}, true)}));
  const std::string msg = test::error_message([] { soft_target_cross_entropy(zeros({2, 3}), zeros({2, 4})); });
  EXPECT_NE(msg.find("soft_target_cross_entropy: expected float target probabilities [2, 3]"), std::string::npos)
      << msg;
}
