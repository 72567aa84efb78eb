// Tensor: factories, views and strides, memory formats, copies, printing, the seeded generator.
#include "test_util.h"

using namespace cnn;

TEST(Tensor, FactoriesFillShapesAndValues) {
  EXPECT_EQ(zeros({2, 3}).to_vector<float>(), std::vector<float>(6, 0.0f));
  EXPECT_EQ(ones({2}).to_vector<float>(), std::vector<float>({1, 1}));
  EXPECT_EQ(full({3}, 2.5).to_vector<float>(), std::vector<float>({2.5, 2.5, 2.5}));
  EXPECT_EQ(arange(0, 5).to_vector<float>(), std::vector<float>({0, 1, 2, 3, 4}));
  EXPECT_EQ(arange(1, 2, 0.25).to_vector<float>(), std::vector<float>({1, 1.25, 1.5, 1.75}));
  EXPECT_EQ(arange(0, 3, 1, DType::i64).to_vector<int64_t>(), std::vector<int64_t>({0, 1, 2}));
  const float buf[] = {1, 2, 3, 4};
  Tensor b = from_blob(buf, {2, 2});
  EXPECT_EQ(b.shape(), Shape({2, 2}));
  EXPECT_EQ(b.to_vector<float>(), std::vector<float>({1, 2, 3, 4}));
  EXPECT_EQ(scalar_tensor(7).item(), 7.0);
  EXPECT_THROW(from_vector(std::vector<float>{1, 2, 3}, {2, 2}), Error);
}

TEST(Tensor, ManualSeedMakesRandomReproducible) {
  manual_seed(42);
  const auto a = rand({100}).to_vector<float>();
  const auto n1 = randn({1000}).to_vector<float>();
  manual_seed(42);
  EXPECT_EQ(rand({100}).to_vector<float>(), a);
  EXPECT_EQ(randn({1000}).to_vector<float>(), n1);
  for (float v : a) EXPECT_TRUE(v >= 0.0f && v < 1.0f);
  double m = 0, s = 0;
  manual_seed(1);
  const auto big = randn({100000}).to_vector<float>();
  for (float v : big) m += v;
  m /= big.size();
  for (float v : big) s += (v - m) * (v - m);
  s = std::sqrt(s / big.size());
  EXPECT_NEAR(m, 0.0, 0.02);
  EXPECT_NEAR(s, 1.0, 0.02);
  const auto ints = randint(3, 7, {1000}).to_vector<int64_t>();
  for (int64_t v : ints) EXPECT_TRUE(v >= 3 && v < 7);
}

TEST(Tensor, ViewReshapePermuteShareStorage) {
  Tensor x = arange(0, 24).reshape({2, 3, 4});
  EXPECT_EQ(x.strides(), std::vector<int64_t>({12, 4, 1}));
  Tensor v = x.view({6, 4});
  EXPECT_EQ(v.impl()->storage, x.impl()->storage);
  Tensor p = x.permute({2, 0, 1});
  EXPECT_EQ(p.shape(), Shape({4, 2, 3}));
  EXPECT_EQ(p.strides(), std::vector<int64_t>({1, 12, 4}));
  EXPECT_FALSE(p.is_contiguous());
  EXPECT_EQ(p.contiguous().to_vector<float>()[1], 4.0f);  // p[0][0][1] = x[0][1][0]
  EXPECT_THROW(p.view({24}), Error);                    // not viewable: needs reshape
  EXPECT_EQ(p.reshape({24}).to_vector<float>()[1], 4.0f);
  EXPECT_EQ(x.view({-1, 4}).shape(), Shape({6, 4}));
  EXPECT_EQ(x.flatten().shape(), Shape({24}));
  EXPECT_EQ(x.flatten(1).shape(), Shape({2, 12}));
  EXPECT_THROW(x.view({5, -1}), Error);
}

TEST(Tensor, SlicingAndSelect) {
  Tensor x = arange(0, 12).reshape({3, 4});
  EXPECT_EQ(x.slice(1, 1, 3).to_vector<float>(), std::vector<float>({1, 2, 5, 6, 9, 10}));
  EXPECT_EQ(x.slice(0, 0, 3, 2).to_vector<float>(), std::vector<float>({0, 1, 2, 3, 8, 9, 10, 11}));
  EXPECT_EQ(x[1].to_vector<float>(), std::vector<float>({4, 5, 6, 7}));
  EXPECT_EQ(x.select(1, -1).to_vector<float>(), std::vector<float>({3, 7, 11}));
  EXPECT_EQ(x.slice(1, -2, 4).shape(), Shape({3, 2}));
  EXPECT_THROW(x.select(0, 3), Error);
  Tensor col = x.select(1, 0);
  col.fill_(-1);
  EXPECT_EQ(x.to_vector<float>()[4], -1.0f);  // a view writes through
}

TEST(Tensor, ChannelsLastLayout) {
  Tensor x = arange(0, 2 * 3 * 2 * 2).reshape({2, 3, 2, 2});
  Tensor cl = x.contiguous(MemoryFormat::channels_last);
  EXPECT_EQ(cl.shape(), x.shape());
  EXPECT_EQ(cl.strides(), std::vector<int64_t>({12, 1, 6, 3}));
  EXPECT_TRUE(cl.is_contiguous(MemoryFormat::channels_last));
  EXPECT_EQ(cl.suggest_memory_format(), MemoryFormat::channels_last);
  EXPECT_EQ(cl.to_vector<float>(), x.to_vector<float>());  // same values in logical order
  EXPECT_EQ(cl.data<float>()[1], 4.0f);                      // memory order: c varies fastest
  EXPECT_TRUE(cl.is_non_overlapping_and_dense());
  EXPECT_EQ(empty_like(cl).strides(), cl.strides());
}

TEST(Tensor, CopyAndCatAndBroadcastCopy) {
  Tensor a = zeros({2, 3});
  a.copy_(from_vector(std::vector<float>{1, 2, 3}, {3}));
  EXPECT_EQ(a.to_vector<float>(), std::vector<float>({1, 2, 3, 1, 2, 3}));
  EXPECT_THROW(a.copy_(ones({4})), Error);
  Tensor c = cat({ones({1, 2}), zeros({2, 2})}, 0);
  EXPECT_EQ(c.shape(), Shape({3, 2}));
  EXPECT_EQ(c.to_vector<float>(), std::vector<float>({1, 1, 0, 0, 0, 0}));
  Tensor d = cat({ones({2, 1}), zeros({2, 2})}, 1);
  EXPECT_EQ(d.to_vector<float>(), std::vector<float>({1, 0, 0, 1, 0, 0}));
  EXPECT_THROW(cat({ones({2, 1}), zeros({3, 2})}, 1), Error);
  EXPECT_EQ(ones({2}).to(DType::i64).to_vector<int64_t>(), std::vector<int64_t>({1, 1}));
}

TEST(Tensor, PrintsLikePyTorch) {
  EXPECT_EQ(from_vector(std::vector<float>{1, 2.5f, -3}, {3}).str(), "tensor([ 1.0000,  2.5000, -3.0000])");
  EXPECT_EQ(from_vector(std::vector<float>{1, 2, 3, 4}, {2, 2}).str(), "tensor([[1., 2.],\n        [3., 4.]], shape=[2, 2])");
  EXPECT_EQ(arange(0, 3, 1, DType::i64).str(), "tensor([0, 1, 2], dtype=int64)");
  Tensor w = ones({2});
  w.requires_grad_();
  EXPECT_EQ(w.str(), "tensor([1., 1.], requires_grad=True)");
  EXPECT_NE(arange(0, 2000).str().find("..."), std::string::npos);
}

TEST(Tensor, ShapeBroadcastAndErrors) {
  EXPECT_EQ(broadcast_shapes({8, 1, 6, 1}, {7, 1, 5}, "t"), Shape({8, 7, 6, 5}));
  try {
    broadcast_shapes({2, 3}, {4}, "add");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("add: shapes [2, 3] and [4] do not broadcast"), std::string::npos);
  }
  EXPECT_THROW(ones({2}).size(3), Error);
}
