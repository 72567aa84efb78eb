// The bf16 dtype: rounding to nearest even (hand-computed bit patterns), conversions both ways, printing,
// channels-last kept by to(), to() differentiable between float dtypes, and safetensors BF16 read and write,
// byte for byte what PyTorch writes (tests/fixtures/bf16_torch.safetensors, made by gen_safetensors.py).
#include <cnn/cnn.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "test_util.h"

namespace cnn {
namespace {

uint16_t bits_of(float f) { return bfloat16(f).bits; }

TEST(Bf16, RoundsToNearestEven) {
  EXPECT_EQ(bits_of(1.0f), 0x3f80);
  EXPECT_EQ(bits_of(-2.0f), 0xc000);
  // 1 + 2^-8 lies halfway between 1 (0x3f80, even) and 1 + 2^-7 (0x3f81): ties go to even.
  EXPECT_EQ(bits_of(1.00390625f), 0x3f80);
  // 1 + 3 * 2^-8 lies halfway between 0x3f81 and 0x3f82 (even).
  EXPECT_EQ(bits_of(1.01171875f), 0x3f82);
  // Just above the halfway point rounds up.
  EXPECT_EQ(bits_of(std::nextafter(1.00390625f, 2.0f)), 0x3f81);
  EXPECT_EQ(bits_of(-0.0f), 0x8000);
  EXPECT_EQ(bits_of(std::numeric_limits<float>::infinity()), 0x7f80);
  EXPECT_TRUE(std::isnan(static_cast<float>(bfloat16(std::numeric_limits<float>::quiet_NaN()))));
  // The largest float rounds past bf16's largest finite value (0x7f7f) to infinity, as in PyTorch.
  EXPECT_EQ(bits_of(std::numeric_limits<float>::max()), 0x7f80);
  EXPECT_EQ(static_cast<float>(bfloat16::from_bits(0x3fc0)), 1.5f);  // widening is exact
}

TEST(Bf16, TensorConversionsBothWays) {
  const Tensor x = from_vector(std::vector<float>{1.0f, 3.14159265f, -1e-3f, 65504.0f, 0.1f}, {5});
  const Tensor b = x.to(DType::bf16);
  EXPECT_EQ(b.dtype(), DType::bf16);
  EXPECT_EQ(dtype_size(DType::bf16), 2u);
  EXPECT_STREQ(dtype_name(DType::bf16), "bfloat16");
  EXPECT_TRUE(is_floating_point(DType::bf16));
  // bf16 keeps 8 significant bits: pi -> 3.140625, 0.1 -> 0.10009765625, 65504 -> 65536.
  EXPECT_EQ(b.to(DType::f32).to_vector<float>(),
            (std::vector<float>{1.0f, 3.140625f, -0.00099945068359375f, 65536.0f, 0.10009765625f}));
  EXPECT_EQ(b.data<bfloat16>()[1].bits, 0x4049);
  EXPECT_EQ(zeros({3}, DType::bf16).to(DType::f32).to_vector<float>(), (std::vector<float>{0, 0, 0}));
  EXPECT_DOUBLE_EQ(full({1}, 2.5, DType::bf16).item(), 2.5);
  EXPECT_DOUBLE_EQ(b.slice(0, 1, 2).item(), 3.140625);
  EXPECT_EQ(arange(0, 3, 1, DType::bf16).to(DType::i64).to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(test::error_message([&] { b.data<float>(); }), "data: tensor has dtype bfloat16, asked for float32");
}

TEST(Bf16, PrintsLikePyTorch) {
  EXPECT_EQ(from_vector(std::vector<float>{1.0f, 3.14159265f}, {2}).to(DType::bf16).str(),
            "tensor([1.0000, 3.1406], dtype=bfloat16)");
}

TEST(Bf16, ToKeepsChannelsLastAndIsDifferentiable) {
  manual_seed(0);
  const Tensor x = test::uniform({2, 3, 4, 5}).contiguous(MemoryFormat::channels_last).detach().requires_grad_();
  const Tensor b = x.to(DType::bf16);
  EXPECT_TRUE(b.is_contiguous(MemoryFormat::channels_last));
  EXPECT_EQ(b.grad_fn_name(), "ToCopyBackward");
  const Tensor y = mul(b.to(DType::f32), full({1}, 3.0));
  sum(y).backward();
  ASSERT_TRUE(x.grad().defined());
  EXPECT_EQ(x.grad().dtype(), DType::f32);  // the gradient is cast back to the input's dtype
  EXPECT_ALLCLOSE(x.grad(), full({2, 3, 4, 5}, 3.0), 0, 0);
  // Integer <-> float copies are not differentiable (as in PyTorch).
  EXPECT_FALSE(x.to(DType::i64).requires_grad());
}

TEST(Bf16, SafetensorsRoundTripMatchesPyTorchBytes) {
  const std::string dir = test::temp_dir("bf16");
  const Tensor w = test::fixture("safetensors", "bf16", "w").to(DType::bf16);
  const std::string path = dir + "/w.safetensors";
  save_safetensors(path, StateDict{{"w", w}});
  // PyTorch (safetensors.torch.save_file) writes exactly these bytes for the same tensor.
  EXPECT_EQ(test::slurp(path), test::slurp(std::string(CNN_FIXTURES_DIR) + "/bf16_torch.safetensors"));
  const StateDict back = load_safetensors(std::string(CNN_FIXTURES_DIR) + "/bf16_torch.safetensors");
  ASSERT_EQ(back["w"].dtype(), DType::bf16);
  EXPECT_EQ(back["w"].shape(), w.shape());
  EXPECT_ALLCLOSE(back["w"].to(DType::f32), w.to(DType::f32), 0, 0);
  std::filesystem::remove_all(dir);
}

TEST(Bf16, LoadStateDictConvertsBetweenFloatDtypes) {
  Linear model(3, 2);
  StateDict state;
  state.insert("weight", from_vector(std::vector<float>{1, 2, 3, 4, 5, 6.5f}, {2, 3}).to(DType::bf16));
  state.insert("bias", from_vector(std::vector<float>{0.5f, -0.25f}, {2}).to(DType::bf16));
  model.load_state_dict(state);
  EXPECT_EQ(model.weight.dtype(), DType::f32);
  EXPECT_EQ(model.weight.to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6.5f}));
  state.insert("bias", from_vector(std::vector<int64_t>{1, 2}, {2}));
  EXPECT_NE(test::error_message([&] { model.load_state_dict(state); }).find("dtype mismatch for bias"),
            std::string::npos);
}

}  // namespace
}  // namespace cnn
