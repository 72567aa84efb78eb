// The `cnn rf --layers` calculator: the worked examples of course 003 (7; 9 with jump 4), dilations 1, 2, 4 (15),
// SimpleCNN's table from 002 §6 with output sizes and centres, and the layer-list parser's errors.
#include <cnn/analysis.h>

#include "test_util.h"

using namespace cnn;

namespace {

std::vector<RfStep> fields(const std::string& list, std::optional<int64_t> size = {}) {
  return receptive_fields(parse_layer_specs(list), size);
}

std::string error_of(const std::string& list) {
  try {
    parse_layer_specs(list);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(ReceptiveFieldCalculator, ThreeStrideOneConvsSeeSeven) {
  const auto s = fields("conv3,conv3,conv3");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].rf, 3);
  EXPECT_EQ(s[1].rf, 5);
  EXPECT_EQ(s[2].rf, 7);
  EXPECT_EQ(s[2].jump, 1);
}

TEST(ReceptiveFieldCalculator, StridedExampleOfCourse003) {
  // Conv1 3x3 s1, Conv2 3x3 s2, Conv3 3x3 s2: RF 3, 5, 9 and jumps 1, 2, 4.
  const auto s = fields("conv3, conv3s2, conv3s2");
  EXPECT_EQ(s[1].rf, 5);
  EXPECT_EQ(s[1].jump, 2);
  EXPECT_EQ(s[2].rf_in, 5);
  EXPECT_EQ(s[2].jump_in, 2);
  EXPECT_EQ(s[2].rf, 9);
  EXPECT_EQ(s[2].jump, 4);
}

TEST(ReceptiveFieldCalculator, DilationsOneTwoFourSeeFifteen) {
  const auto s = fields("conv3,conv3d2,conv3d4");
  EXPECT_EQ(s[0].rf, 3);
  EXPECT_EQ(s[1].rf, 7);
  EXPECT_EQ(s[2].rf, 15);
  EXPECT_EQ(s[2].jump, 1);
}

TEST(ReceptiveFieldCalculator, SimpleCnnTableWithSizesAndCentres) {
  const auto s = fields("conv3p1,pool2,conv3p1,pool2", 28);
  const std::vector<int64_t> rf = {3, 4, 8, 10}, jump = {1, 2, 2, 4}, size = {28, 14, 14, 7};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(s[i].rf, rf[i]) << i;
    EXPECT_EQ(s[i].jump, jump[i]) << i;
    EXPECT_EQ(s[i].size, size[i]) << i;
  }
  EXPECT_EQ(s[0].start, 0.0) << "padding 1 centres the first 3x3 window on pixel 0";
  EXPECT_EQ(s[1].start, 0.5) << "a 2x2 pool's first window is centred between pixels 0 and 1";
  EXPECT_EQ(fields("conv3")[0].start, 1.0);
  EXPECT_THROW(fields("conv7,conv7", 8), Error) << "the second 7x7 does not fit the 2-pixel output";
}

TEST(ReceptiveFieldCalculator, SpecDefaultsFollowPyTorch) {
  const auto specs = parse_layer_specs("pool3,pool3s2p1,conv7s2p3d2");
  EXPECT_EQ(specs[0].stride, 3) << "pool stride defaults to the kernel";
  EXPECT_EQ(specs[1].stride, 2);
  EXPECT_EQ(specs[1].padding, 1);
  EXPECT_EQ(specs[2].kind, "conv");
  EXPECT_EQ(specs[2].kernel, 7);
  EXPECT_EQ(specs[2].stride, 2);
  EXPECT_EQ(specs[2].padding, 3);
  EXPECT_EQ(specs[2].dilation, 2);
  EXPECT_EQ(parse_layer_specs("conv5")[0].stride, 1);
}

TEST(ReceptiveFieldCalculator, ParserErrorsNameTheItemAndTheGrammar) {
  EXPECT_NE(error_of("conv3,fc2").find("item 2 'fc2'"), std::string::npos) << error_of("conv3,fc2");
  EXPECT_NE(error_of("conv3,fc2").find("conv<k>[s<stride>]"), std::string::npos);
  EXPECT_NE(error_of("conv").find("expected a kernel size"), std::string::npos) << error_of("conv");
  EXPECT_NE(error_of("conv3x").find("unexpected 'x' at position 6"), std::string::npos) << error_of("conv3x");
  EXPECT_NE(error_of("conv3s").find("expected a stride"), std::string::npos) << error_of("conv3s");
  EXPECT_NE(error_of("conv3s2s2").find("'s' is given twice"), std::string::npos) << error_of("conv3s2s2");
  EXPECT_NE(error_of("conv0").find("at least 1"), std::string::npos) << error_of("conv0");
  EXPECT_NE(error_of("conv3s0").find("at least 1"), std::string::npos);
  EXPECT_NE(error_of("pool3p2").find("at most half the kernel"), std::string::npos) << error_of("pool3p2");
  EXPECT_NE(error_of("conv3,,conv3").find("item 2 of"), std::string::npos) << error_of("conv3,,conv3");
  EXPECT_NE(error_of("").find("is empty"), std::string::npos);
  EXPECT_NE(error_of("conv99999999").find("up to 6 digits"), std::string::npos);
}
