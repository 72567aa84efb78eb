// interpolate (nearest, bilinear, align_corners, size or scale_factor), zero_pad2d and channel_shuffle:
// hand-computed cases, gradients, backend parity, PyTorch fixtures (tests/fixtures/gen_upsample.py) and errors.
#include "test_util.h"

using namespace cnn;

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

Tensor grid(std::vector<float> v, const Shape& shape) { return from_vector(v, shape); }

using test::error_message;

InterpolateOptions fixture_options(const std::string& name) {
  auto value = [&](const char* key) { return test::fixture_value("upsample", name, key); };
  InterpolateOptions o;
  o.mode = value("bilinear") != 0 ? "bilinear" : "nearest";
  if (o.mode == "bilinear") o.align_corners = value("align_corners") != 0;
  if (value("has_size") != 0)
    o.size = Pair2(static_cast<int64_t>(value("size_h")), static_cast<int64_t>(value("size_w")));
  else
    o.scale_factor = Scale2(value("scale_h"), value("scale_w"));
  return o;
}

}  // namespace

TEST(Interpolate, HandComputed) {
  const Tensor x = grid({1, 2, 3, 4}, {1, 1, 2, 2});
  EXPECT_ALLCLOSE(interpolate(x, {.scale_factor = 2}),
                  grid({1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, {1, 1, 4, 4}));
  EXPECT_ALLCLOSE(interpolate(x, {.size = Pair2(3, 3), .mode = "bilinear", .align_corners = true}),
                  grid({1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4}, {1, 1, 3, 3}));
  // Half-pixel centres: sources -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to the last pixel).
  EXPECT_ALLCLOSE(interpolate(x, {.scale_factor = 2, .mode = "bilinear"}),
                  grid({1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4},
                       {1, 1, 4, 4}));
  // Nearest downsampling reads floor(o * in/out).
  EXPECT_ALLCLOSE(interpolate(arange(5).reshape({1, 1, 1, 5}), {.size = Pair2(1, 2)}), grid({0, 2}, {1, 1, 1, 2}));
  EXPECT_EQ(interpolate_output_size({3, 5}, {.scale_factor = Scale2(1.5, 2.5)}), Pair2(4, 12));
}

TEST(Interpolate, BackwardSpreadsWithTheForwardWeights) {
  Tensor x = ones({1, 1, 2, 2}).requires_grad_();
  sum(interpolate(x, {.scale_factor = 2})).backward();
  EXPECT_EQ(x.grad().to_vector<float>(), std::vector<float>({4, 4, 4, 4}));
  Tensor y = ones({1, 1, 2, 2}).requires_grad_();
  sum(interpolate(y, {.size = Pair2(3, 3), .mode = "bilinear", .align_corners = true})).backward();
  EXPECT_EQ(y.grad().to_vector<float>(), std::vector<float>({2.25, 2.25, 2.25, 2.25}));
}

TEST(Interpolate, FiniteDifferenceGradientsAndParity) {
  manual_seed(1);
  const std::vector<InterpolateOptions> cases = {
      {.scale_factor = 2},
      {.size = Pair2(5, 3)},
      {.scale_factor = Scale2(1.5, 2.0), .mode = "bilinear"},
      {.size = Pair2(7, 2), .mode = "bilinear", .align_corners = true},
      {.size = Pair2(2, 3), .mode = "bilinear"},
  };
  for (const InterpolateOptions& o : cases) {
    EXPECT_TRUE(
        test::gradcheck([o](const auto& t) { return interpolate(t[0], o); }, {test::uniform({2, 2, 3, 4}, true)}))
        << o.mode;
    Fn cl = [o](const auto& t) { return interpolate(t[0].contiguous(MemoryFormat::channels_last), o); };
    EXPECT_TRUE(test::backend_parity(cl, {test::uniform({1, 5, 3, 4}, true)})) << o.mode;
  }
}

TEST(Interpolate, MatchesPyTorch) {
  for (const std::string& backend_name : available_backends())
    for (const std::string name :
         {"nearest_x2", "nearest_size", "nearest_scale_1_5", "nearest_down", "nearest_scale_1_7", "bilinear_x2",
          "bilinear_align_size", "bilinear_down", "bilinear_align_scale", "bilinear_scale_same_height",
          "bilinear_align_to_one"}) {
      SCOPED_TRACE(name + " on " + backend_name);
      BackendGuard guard(backend_name);
      Tensor x = test::fixture("upsample", name, "x").requires_grad_();
      Tensor y = interpolate(x, fixture_options(name));
      EXPECT_ALLCLOSE(y, test::fixture("upsample", name, "y"), 1e-5, 1e-6);
      y.backward(test::fixture("upsample", name, "dy"));
      EXPECT_ALLCLOSE(x.grad(), test::fixture("upsample", name, "dx"), 1e-5, 1e-5);
    }
}

TEST(ZeroPad2d, HandComputedAndCropping) {
  Tensor x = grid({1, 2, 3, 4}, {1, 2, 2}).requires_grad_();
  Tensor y = zero_pad2d(x, {1, 0, 0, 1});
  EXPECT_EQ(y.shape(), Shape({1, 3, 3}));
  EXPECT_EQ(y.to_vector<float>(), std::vector<float>({0, 1, 2, 0, 3, 4, 0, 0, 0}));
  y.backward(arange(9).reshape({1, 3, 3}));
  EXPECT_EQ(x.grad().to_vector<float>(), std::vector<float>({1, 2, 4, 5}));
  EXPECT_EQ(zero_pad2d(x, {-1, 0, 0, 0}).to_vector<float>(), std::vector<float>({2, 4}));
  EXPECT_EQ(zero_pad2d(ones({1, 1, 2, 2}), 1).shape(), Shape({1, 1, 4, 4}));
  const Tensor cl = test::uniform({2, 3, 4, 5}).contiguous(MemoryFormat::channels_last);
  EXPECT_TRUE(zero_pad2d(cl, 2).is_contiguous(MemoryFormat::channels_last));
  EXPECT_ALLCLOSE(zero_pad2d(cl, {1, -2, 0, 3}), zero_pad2d(cl.contiguous(), {1, -2, 0, 3}));
}

TEST(ChannelShuffle, HandComputed) {
  // Channel c holds the value c; groups=2 reads the channels as (2, 3) and transposes: 0 3 1 4 2 5.
  const Tensor x = arange(6).reshape({1, 6, 1, 1});
  EXPECT_EQ(channel_shuffle(x, 2).to_vector<float>(), std::vector<float>({0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(channel_shuffle(x, 3).to_vector<float>(), std::vector<float>({0, 2, 4, 1, 3, 5}));
  const Tensor cl = test::uniform({2, 6, 3, 4}).contiguous(MemoryFormat::channels_last);
  EXPECT_TRUE(channel_shuffle(cl, 3).is_contiguous(MemoryFormat::channels_last));
  EXPECT_ALLCLOSE(channel_shuffle(cl, 3), channel_shuffle(cl.contiguous(), 3));
}

TEST(PadAndShuffle, GradientsParityAndPyTorch) {
  manual_seed(2);
  EXPECT_TRUE(test::gradcheck([](const auto& t) { return zero_pad2d(t[0], {2, -1, 1, 0}); },
                              {test::uniform({2, 2, 3, 4}, true)}));
  EXPECT_TRUE(
      test::gradcheck([](const auto& t) { return channel_shuffle(t[0], 2); }, {test::uniform({2, 4, 3}, true)}));
  EXPECT_TRUE(test::backend_parity([](const auto& t) { return zero_pad2d(t[0], {1, 2, 3, 0}); },
                                   {test::uniform({1, 3, 5, 2}, true)}));
  for (const std::string& backend_name : available_backends()) {
    BackendGuard guard(backend_name);
    for (const std::string name : {"pad_grow", "pad_crop", "shuffle_4d", "shuffle_3d"}) {
      SCOPED_TRACE(name + " on " + backend_name);
      auto value = [&](const char* key) { return static_cast<int64_t>(test::fixture_value("upsample", name, key)); };
      Tensor x = test::fixture("upsample", name, "x").requires_grad_();
      Tensor y = name.starts_with("pad") ? zero_pad2d(x, {value("left"), value("right"), value("top"), value("bottom")})
                                         : channel_shuffle(x, value("groups"));
      EXPECT_ALLCLOSE(y, test::fixture("upsample", name, "y"), 0.0, 0.0);
      y.backward(test::fixture("upsample", name, "dy"));
      EXPECT_ALLCLOSE(x.grad(), test::fixture("upsample", name, "dx"), 0.0, 0.0);
    }
  }
}

TEST(Upsample, ErrorMessages) {
  const Tensor x = ones({1, 1, 2, 2});
  EXPECT_EQ(error_message([&] { interpolate(x, {}); }), "interpolate: either size or scale_factor should be defined");
  EXPECT_EQ(error_message([&] { interpolate(x, {.size = Pair2(4, 4), .scale_factor = 2}); }),
            "interpolate: only one of size or scale_factor should be defined");
  EXPECT_EQ(error_message([&] { interpolate(x, {.scale_factor = 2, .mode = "bicubic"}); }),
            "interpolate: mode must be \"nearest\" or \"bilinear\", got \"bicubic\"");
  EXPECT_EQ(error_message([&] { interpolate(x, {.scale_factor = 2, .align_corners = true}); }),
            "interpolate: align_corners can only be set with mode \"bilinear\", got mode \"nearest\"");
  EXPECT_EQ(error_message([&] { interpolate(ones({1, 2, 2}), {.scale_factor = 2}); }),
            "interpolate: expected 4-D input [N, C, H, W], got input of shape [1, 2, 2]");
  EXPECT_EQ(error_message([&] { interpolate(x, {.scale_factor = 0.4}); }),
            "interpolate: scale_factor (0.4, 0.4) gives an empty output (0 x 0) for input size (2, 2)");
  EXPECT_EQ(error_message([&] { zero_pad2d(x, {-1, -1, 0, 0}); }),
            "zero_pad2d: padding (left=-1, right=-1, top=0, bottom=0) gives output of shape [1, 1, 2, 0] for input "
            "[1, 1, 2, 2]; expected positive sizes");
  EXPECT_EQ(error_message([] { channel_shuffle(ones({1, 6, 2, 2}), 4); }),
            "channel_shuffle: number of channels must be divisible by groups, got 6 channels and 4 groups (input "
            "[1, 6, 2, 2])");
  EXPECT_EQ(error_message([] { channel_shuffle(ones({6, 2}), 2); }),
            "channel_shuffle: expected input [N, C, *] with at least 3 dimensions, got input of shape [6, 2]");
}
