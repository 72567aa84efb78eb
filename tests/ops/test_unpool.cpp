// max_unpool2d: hand-computed cases, the round trip with max_pool2d_with_indices, repeated indices, gradients,
// backend parity, PyTorch fixtures (tests/fixtures/gen_unpool.py) and error messages.
#include "test_util.h"

using namespace cnn;

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

Tensor grid(std::vector<float> v, const Shape& shape) { return from_vector(v, shape); }
Tensor index_grid(std::vector<int64_t> v, const Shape& shape) { return from_vector(v, shape); }

using test::error_message;

}  // namespace

TEST(MaxUnpool2d, HandComputed) {
  Tensor x = grid({1, 2, 3, 4}, {1, 1, 2, 2}).requires_grad_();
  Tensor y = max_unpool2d(x, index_grid({0, 3, 13, 10}, {1, 1, 2, 2}), {.kernel_size = 2});
  EXPECT_EQ(y.shape(), Shape({1, 1, 4, 4}));
  EXPECT_EQ(y.to_vector<float>(), std::vector<float>({1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 4, 0, 0, 3, 0, 0}));
  y.backward(arange(16).reshape({1, 1, 4, 4}));
  EXPECT_EQ(x.grad().to_vector<float>(), std::vector<float>({0, 3, 13, 10}));  // dy gathered at the indices
}

TEST(MaxUnpool2d, RoundTripWithMaxPool) {
  manual_seed(1);
  const Tensor x = test::uniform({2, 3, 6, 7}) + 2.0;  // positive, so the zeros never win a window
  auto [pooled, indices] = max_pool2d_with_indices(x, {.kernel_size = 2});
  const Tensor y = max_unpool2d(pooled, indices, {.kernel_size = 2, .output_size = Pair2(6, 7)});
  EXPECT_EQ(y.shape(), x.shape());
  // Pooling the unpooled tensor again gives the same maxima and indices back.
  auto [again, again_indices] = max_pool2d_with_indices(y, {.kernel_size = 2});
  EXPECT_ALLCLOSE(again, pooled, 0.0, 0.0);
  EXPECT_EQ(again_indices.to_vector<int64_t>(), indices.to_vector<int64_t>());
  EXPECT_ALLCLOSE(sum(y), sum(pooled));
}

TEST(MaxUnpool2d, RepeatedIndicesAssignAndGatherTwice) {
  // Overlapping windows that pick the same maximum give one index twice: the output holds the value once
  // (PyTorch assigns, it does not add), and each pooled value receives the gradient at that index.
  Tensor x = grid({5, 5}, {1, 1, 1, 2}).requires_grad_();
  Tensor y = max_unpool2d(x, index_grid({1, 1}, {1, 1, 1, 2}), {.kernel_size = {1, 2}, .stride = 1});
  EXPECT_EQ(y.to_vector<float>(), std::vector<float>({0, 5, 0}));
  y.backward(grid({1, 7, 1}, {1, 1, 1, 3}));
  EXPECT_EQ(x.grad().to_vector<float>(), std::vector<float>({7, 7}));
}

TEST(MaxUnpool2d, OutputSizeRule) {
  EXPECT_EQ(max_unpool2d_output_size({3, 3}, {.kernel_size = 2}), Pair2(6, 6));
  EXPECT_EQ(max_unpool2d_output_size({4, 3}, {.kernel_size = 3, .stride = 2, .padding = 1}), Pair2(7, 5));
  EXPECT_EQ(max_unpool2d_output_size({4, 3}, {.kernel_size = 3, .stride = 2, .padding = 1, .output_size = Pair2(8, 6)}),
            Pair2(8, 6));
}

TEST(MaxUnpool2d, GradientsAndParity) {
  manual_seed(2);
  // Non-overlapping windows: with repeated indices the last write wins, which finite differences see differently.
  auto [pooled, indices] = max_pool2d_with_indices(test::uniform({2, 3, 7, 5}), {.kernel_size = 2});
  const Tensor idx = indices;
  Fn f = [idx](const auto& t) { return max_unpool2d(t[0], idx, {.kernel_size = 2, .output_size = Pair2(7, 5)}); };
  EXPECT_TRUE(test::gradcheck(f, {pooled.detach().clone().requires_grad_()}));
  EXPECT_TRUE(test::backend_parity(f, {pooled.detach().clone().requires_grad_()}));
  // A channels-last pooled input and unbatched [C, H, W] input give the same values.
  auto [p4, i4] = max_pool2d_with_indices(test::uniform({1, 5, 6, 6}), {.kernel_size = 2});
  const Tensor ref = max_unpool2d(p4, i4, {.kernel_size = 2});
  EXPECT_ALLCLOSE(max_unpool2d(p4.contiguous(MemoryFormat::channels_last), i4, {.kernel_size = 2}), ref);
  EXPECT_ALLCLOSE(max_unpool2d(p4.squeeze(0), i4.squeeze(0), {.kernel_size = 2}), ref.squeeze(0));
}

TEST(MaxUnpool2d, MatchesPyTorch) {
  for (const std::string& backend_name : available_backends())
    for (const std::string name : {"k2_default_size", "k2_output_size", "k3s2p1_overlapping", "rect", "unbatched"}) {
      SCOPED_TRACE(name + " on " + backend_name);
      BackendGuard backend_guard(backend_name);
      auto value = [&](const char* key) { return static_cast<int64_t>(test::fixture_value("unpool", name, key)); };
      MaxUnpool2dOptions o{.kernel_size = {value("kernel_h"), value("kernel_w")},
                           .stride = {value("stride_h"), value("stride_w")},
                           .padding = {value("pad_h"), value("pad_w")}};
      if (value("has_size")) o.output_size = Pair2(value("size_h"), value("size_w"));
      Tensor x = test::fixture("unpool", name, "x").requires_grad_();
      Tensor y = max_unpool2d(x, test::fixture("unpool", name, "indices"), o);
      EXPECT_ALLCLOSE(y, test::fixture("unpool", name, "y"));
      y.backward(test::fixture("unpool", name, "dy"));
      EXPECT_ALLCLOSE(x.grad(), test::fixture("unpool", name, "dx"));
    }
}

TEST(MaxUnpool2d, ErrorMessages) {
  const Tensor x = ones({1, 1, 2, 2});
  EXPECT_EQ(error_message([&] { max_unpool2d(x, index_grid({0, 1, 2, 16}, {1, 1, 2, 2}), {.kernel_size = 2}); }),
            "max_unpool2d: found an invalid max index 16 (output planes are of size 4x4) for input [1, 1, 2, 2]");
  EXPECT_EQ(error_message([&] { max_unpool2d(x, index_grid({0, -1, 2, 3}, {1, 1, 2, 2}), {.kernel_size = 2}); }),
            "max_unpool2d: found an invalid max index -1 (output planes are of size 4x4) for input [1, 1, 2, 2]");
  EXPECT_EQ(error_message([&] {
              max_unpool2d(x, index_grid({0, 1, 2, 3}, {1, 1, 2, 2}), {.kernel_size = 2, .output_size = Pair2(6, 4)});
            }),
            "max_unpool2d: invalid output_size (6, 4) (dim 0 must be between 2 and 6)");
  EXPECT_EQ(error_message([&] { max_unpool2d(x, index_grid({0, 1}, {1, 1, 1, 2}), {.kernel_size = 2}); }),
            "max_unpool2d: expected indices of the input's shape [1, 1, 2, 2], got indices [1, 1, 1, 2]");
  EXPECT_EQ(error_message([&] { max_unpool2d(ones({4, 4}), index_grid({0}, {1, 1}), {.kernel_size = 2}); }),
            "max_unpool2d: expected 3-D [C, H, W] or 4-D [N, C, H, W] input, got input of shape [4, 4]");
  EXPECT_EQ(error_message([&] { max_unpool2d(x, ones({1, 1, 2, 2}), {.kernel_size = 2}); }),
            "max_unpool2d: expected float32 input and int64 indices, got float32 and float32");
  EXPECT_EQ(error_message([] { max_pool2d(ones({1, 1, 2, 2}), {.kernel_size = 2, .return_indices = true}); }),
            "max_pool2d: return_indices=true returns two tensors: call max_pool2d_with_indices(x, options)");
}
