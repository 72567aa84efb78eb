// cnn::Predictor: top-k from probabilities, clear errors on wrong inputs, and 8 threads calling one predictor
// 100 times each get exactly the single-threaded results.
#include <cnn/cnn.h>
#include <cnn/predictor.h>
#include <gtest/gtest.h>

#include <thread>

#include "test_util.h"

namespace cnn {
namespace {

// A run described in code (no training): plaincnn with kwargs on MNIST-shaped input, random weights.
Predictor make_predictor(const std::string& model = "simplecnn") {
  RunSpec spec;
  spec.model = model;
  spec.dataset = "mnist";
  if (model == "plaincnn") spec.model_kwargs = {"depth=3", "width=8"};
  manual_seed(5);
  return Predictor(spec, spec.create_model());
}

TEST(Predictor, TopKIsSortedAndMatchesTheSoftmax) {
  const Predictor p = make_predictor();
  EXPECT_EQ(p.input_shape(), Shape({1, 28, 28}));
  EXPECT_EQ(p.class_names().size(), 10u);
  manual_seed(1);
  const Tensor x = test::uniform({3, 1, 28, 28});
  const Tensor probs = p.probabilities(x);
  ASSERT_EQ(probs.shape(), Shape({3, 10}));
  const std::vector<Prediction> top = p.predict(x, 4);
  ASSERT_EQ(top.size(), 3u);
  for (int64_t i = 0; i < 3; ++i) {
    const Prediction& r = top[static_cast<size_t>(i)];
    ASSERT_EQ(r.indices.size(), 4u);
    double sum = 0;
    for (int64_t c = 0; c < 10; ++c) {
      const double v = probs.data<float>()[i * 10 + c];
      sum += v;
      if (c != r.indices[0]) {
        EXPECT_LE(v, r.probabilities[0]);
      }
    }
    EXPECT_NEAR(sum, 1.0, 1e-5);
    for (size_t j = 0; j < 4; ++j) {
      EXPECT_EQ(r.names[j], std::to_string(r.indices[j]));
      EXPECT_FLOAT_EQ(static_cast<float>(r.probabilities[j]), probs.data<float>()[i * 10 + r.indices[j]]);
      if (j > 0) {
        EXPECT_GE(r.probabilities[j - 1], r.probabilities[j]);
      }
    }
  }
  EXPECT_EQ(p.predict(x, 50)[0].indices.size(), 10u) << "topk is clamped to the class count";
  EXPECT_EQ(p.predict(x[0], 1).size(), 1u) << "one [C, H, W] image is a batch of one";
}

TEST(Predictor, WrongInputsNameTheModelAndShapes) {
  const Predictor p = make_predictor();
  EXPECT_EQ(test::error_message([&] { p.predict(zeros({2, 3, 28, 28})); }),
            "Predictor: expected a float batch [N, 1, H, W] (or one image [1, H, W]) for simplecnn, got "
            "float32 [2, 3, 28, 28]");
}

// 8 threads x 100 calls on one predictor (and the same on its bare model in the concurrent-forward test).
TEST(Predictor, EightThreadsGetTheSingleThreadedResults) {
  const Predictor p = make_predictor("plaincnn");
  manual_seed(2);
  std::vector<Tensor> inputs;
  std::vector<Tensor> expected;
  for (int i = 0; i < 4; ++i) {
    inputs.push_back(test::uniform({i + 1, 1, 28, 28}));
    expected.push_back(p.probabilities(inputs.back()));
  }
  std::vector<int> wrong(8, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        const size_t k = static_cast<size_t>(t + i) % inputs.size();
        if (!test::allclose(p.probabilities(inputs[k]), expected[k], 0, 0)) ++wrong[static_cast<size_t>(t)];
      }
    });
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong, std::vector<int>(8, 0));
}

}  // namespace
}  // namespace cnn
