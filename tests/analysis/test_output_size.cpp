// The `cnn shape` calculator: PyTorch's output-size rules filled in, dropped rows, invalid combinations and the
// output_padding a transposed convolution needs to reach a target size.
#include <cnn/analysis.h>

#include "test_util.h"

using namespace cnn;

namespace {

bool has_note(const OutputSizeReport& r, const std::string& text) {
  for (const auto& n : r.notes)
    if (n.find(text) != std::string::npos) return true;
  return false;
}

std::string notes(const OutputSizeReport& r) {
  std::string all;
  for (const auto& n : r.notes) all += n + "\n";
  return all;
}

}  // namespace

TEST(OutputSize, ConvFormulaFilledIn) {
  const auto r = explain_output_size({.op = WindowOp::conv, .in = 32, .kernel = 3, .stride = 2, .padding = 1});
  EXPECT_EQ(r.out, 16);
  EXPECT_EQ(r.computation, "out = floor((32 + 2*1 - 1*(3-1) - 1) / 2) + 1 = 16");
  EXPECT_EQ(r.formula, "out = floor((in + 2*padding - dilation*(kernel-1) - 1) / stride) + 1");
  EXPECT_TRUE(r.error.empty());
  EXPECT_TRUE(has_note(r, "they are padding, so no input row is ignored")) << notes(r);
}

TEST(OutputSize, StrideThatDoesNotDivideDropsInputRows) {
  // 28 - 3 = 25 positions after the first window; stride 2 leaves 1: row 27 is never seen.
  const auto r = explain_output_size({.op = WindowOp::conv, .in = 28, .kernel = 3, .stride = 2});
  EXPECT_EQ(r.out, 13);
  EXPECT_TRUE(has_note(r, "1 of them are input rows (27 to 27 of 0..27), ignored")) << notes(r);
  const auto even = explain_output_size({.op = WindowOp::conv, .in = 28, .kernel = 2, .stride = 2});
  EXPECT_EQ(even.out, 14);
  EXPECT_TRUE(has_note(even, "every row is covered")) << notes(even);
}

TEST(OutputSize, InvalidCombinationsAreExplained) {
  auto r = explain_output_size({.op = WindowOp::conv, .in = 3, .kernel = 7, .padding = 1});
  EXPECT_NE(r.error.find("the dilated kernel 1*(7-1)+1 = 7 is larger than the padded input 3 + 2*1 = 5"),
            std::string::npos)
      << r.error;
  r = explain_output_size({.op = WindowOp::pool, .in = 32, .kernel = 2, .stride = 2, .padding = 2});
  EXPECT_NE(r.error.find("more than half the kernel size"), std::string::npos) << r.error;
  r = explain_output_size({.op = WindowOp::conv_transpose, .in = 8, .kernel = 3, .stride = 2, .output_padding = 2});
  EXPECT_NE(r.error.find("must be smaller than either stride 2 or dilation 1"), std::string::npos) << r.error;
  EXPECT_THROW(explain_output_size({.op = WindowOp::conv, .in = 8, .kernel = 0}), Error);
  EXPECT_THROW(explain_output_size({.op = WindowOp::conv, .in = 8, .kernel = 3, .output_padding = 1}), Error);
  EXPECT_THROW(parse_window_op("deconv"), Error);
}

TEST(OutputSize, PoolCeilModeDropsAWindowStartingInThePadding) {
  auto r = explain_output_size({.op = WindowOp::pool, .in = 5, .kernel = 2, .stride = 2, .ceil_mode = true});
  EXPECT_EQ(r.out, 3);
  EXPECT_TRUE(has_note(r, "partial window")) << notes(r);
  // ceil((5 + 2*1 - 2) / 2) + 1 = 4, but the 4th window would start at 6, past the input and its left padding.
  r = explain_output_size({.op = WindowOp::pool, .in = 5, .kernel = 2, .stride = 2, .padding = 1, .ceil_mode = true});
  EXPECT_EQ(r.out, 3);
  EXPECT_TRUE(has_note(r, "PyTorch drops it")) << notes(r);
  r = explain_output_size({.op = WindowOp::pool, .in = 5, .kernel = 3, .stride = 2, .padding = 1, .ceil_mode = true});
  EXPECT_EQ(r.out, 3);
}

TEST(OutputSize, TransposedConvAndTheOutputPaddingForATarget) {
  // The case: 8x8, kernel 4, stride 2, padding 1 gives 16x16.
  auto r = explain_output_size({.op = WindowOp::conv_transpose, .in = 8, .kernel = 4, .stride = 2, .padding = 1});
  EXPECT_EQ(r.out, 16);
  EXPECT_EQ(r.computation, "out = (8 - 1)*2 - 2*1 + 1*(4-1) + 0 + 1 = 16");
  // kernel 3 gives 15; a stride-2 conv maps both 15 and 16 to 8, so output_padding=1 picks 16.
  r = explain_output_size(
      {.op = WindowOp::conv_transpose, .in = 8, .kernel = 3, .stride = 2, .padding = 1, .target = 16});
  EXPECT_EQ(r.out, 15);
  EXPECT_TRUE(has_note(r, "target 16: use output_padding=1 (15 + 1 = 16)")) << notes(r);
  EXPECT_TRUE(has_note(r, "maps every size from 15 to 16 down to 8")) << notes(r);
  // An odd target: kernel 4 gives 16; 17 also pools to 8 and needs output_padding=1.
  r = explain_output_size(
      {.op = WindowOp::conv_transpose, .in = 8, .kernel = 4, .stride = 2, .padding = 1, .target = 17});
  EXPECT_TRUE(has_note(r, "target 17: use output_padding=1")) << notes(r);
  // Out of output_padding's reach: another padding is proposed.
  r = explain_output_size(
      {.op = WindowOp::conv_transpose, .in = 8, .kernel = 3, .stride = 2, .padding = 1, .target = 17});
  EXPECT_TRUE(has_note(r, "use padding=0 and output_padding=0 instead")) << notes(r);
}

TEST(OutputSize, ConvTargetFindsThePadding) {
  const auto r = explain_output_size({.op = WindowOp::conv, .in = 32, .kernel = 5, .target = 32});
  EXPECT_EQ(r.out, 28);
  EXPECT_TRUE(has_note(r, "target 32: use padding=2")) << notes(r);
}
