// summary() and graph_receptive_fields(): SimpleCNN's rows and totals (course 002 §6 and §8.2), receptive fields
// through residual, concatenated, transposed and global paths on toy models, per-layer MACs and the formats.
#include <cnn/analysis.h>
#include <cnn/models.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "test_util.h"

using namespace cnn;

namespace {

const SummaryRow& row(const ModelSummary& s, const std::string& name, int call = 0) {
  for (const auto& r : s.rows)
    if (r.name == name && call-- == 0) return r;
  throw Error("no row " + name);
}

// Residual block: main = conv3 s2 -> relu -> conv3, skip = conv1 s2, then add and a named ReLU after it.
struct ToyResidual : Module {
  std::shared_ptr<Conv2d> main1, main2, skip;
  std::shared_ptr<ReLU> relu, out;
  ToyResidual() {
    main1 = register_module("main1", Conv2d(2, 4, {.kernel_size = 3, .stride = 2, .padding = 1}));
    relu = register_module("relu", ReLU());
    main2 = register_module("main2", Conv2d(4, 4, {.kernel_size = 3, .padding = 1}));
    skip = register_module("skip", Conv2d(2, 4, {.kernel_size = 1, .stride = 2}));
    out = register_module("out", ReLU());
  }
  Tensor forward(const Tensor& x) override { return (*out)(add((*main2)((*relu)((*main1)(x))), (*skip)(x))); }
};

// Two branches concatenated on channels: a 3x3 conv (rf 3) and a dilated 3x3 conv (rf 5), then a 1x1 fuse.
struct ToyConcat : Module {
  std::shared_ptr<Conv2d> a, b, fuse;
  ToyConcat() {
    a = register_module("a", Conv2d(1, 2, {.kernel_size = 3, .padding = 1}));
    b = register_module("b", Conv2d(1, 2, {.kernel_size = 3, .padding = 2, .dilation = 2}));
    fuse = register_module("fuse", Conv2d(4, 3, {.kernel_size = 1}));
  }
  Tensor forward(const Tensor& x) override { return (*fuse)(cat({(*a)(x), (*b)(x)}, 1)); }
};

}  // namespace

TEST(Summary, SimpleCnnRowsAndTotals) {
  auto model = models::simplecnn();
  const ModelSummary s = summary(*model, {1, 28, 28});
  std::vector<std::string> names;
  for (const auto& r : s.rows) names.push_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{"conv1", "relu", "pool", "conv2", "relu", "pool", "fc1", "relu", "fc2"}));
  EXPECT_EQ(s.total_parameters, 421642);
  EXPECT_EQ(s.trainable_parameters, 421642);
  EXPECT_EQ(row(s, "conv1").trainable, 320);
  EXPECT_EQ(row(s, "fc1").output_shape, (Shape{1, 128}));
  EXPECT_EQ(row(s, "conv2").output_shape, (Shape{1, 64, 14, 14}));
  EXPECT_TRUE(row(s, "pool", 1).reused);
  // MACs: K*C/g*R*S*P*Q for conv, in*out for linear, nothing else.
  EXPECT_EQ(row(s, "conv1").macs, 32 * 1 * 9 * 28 * 28);
  EXPECT_EQ(row(s, "conv2").macs, 64 * 32 * 9 * 14 * 14);
  EXPECT_EQ(row(s, "fc1").macs, 3136 * 128);
  EXPECT_EQ(row(s, "pool").macs, 0);
  EXPECT_EQ(s.total_macs, 225792 + 3612672 + 401408 + 1280);
  // Memory: input + conv, pool and linear outputs; the ReLUs count as in place.
  EXPECT_EQ(row(s, "conv1").activation_bytes, 32 * 28 * 28 * 4);
  EXPECT_TRUE(row(s, "relu").in_place);
  EXPECT_EQ(s.activation_bytes, (784 + 25088 + 6272 + 12544 + 3136 + 128 + 10) * 4);
}

TEST(Summary, SimpleCnnReceptiveFieldsMatchTheCourseTable) {
  auto model = models::simplecnn();
  const ModelSummary s = summary(*model, {1, 28, 28});
  // 002 §6: conv1 3, pool 4, conv2 8, pool 10; jumps 1, 2, 2, 4.
  const std::vector<std::pair<int, int>> want = {{3, 1}, {3, 1}, {4, 2}, {8, 2}, {8, 2}, {10, 4}};
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_TRUE(s.rows[i].field) << s.rows[i].name;
    EXPECT_EQ(s.rows[i].field->rf_h, want[i].first) << i << " " << s.rows[i].name;
    EXPECT_EQ(s.rows[i].field->rf_w, want[i].first) << i;
    EXPECT_EQ(s.rows[i].field->jump_h, want[i].second) << i;
  }
  EXPECT_TRUE(row(s, "fc1").field->global);
  EXPECT_EQ(row(s, "fc2").field->rf_str(), "global");
  EXPECT_EQ(row(s, "fc2").field->rf_h, 28);
}

TEST(Summary, FrozenParametersAreCountedApart) {
  auto model = models::simplecnn();
  model->conv1->weight.requires_grad_(false);
  const ModelSummary s = summary(*model, {1, 28, 28});
  EXPECT_EQ(row(s, "conv1").frozen, 288);
  EXPECT_EQ(row(s, "conv1").trainable, 32);
  EXPECT_EQ(s.frozen_parameters(), 288);
  EXPECT_EQ(s.trainable_parameters, 421642 - 288);
  EXPECT_NE(s.str().find("Non-trainable params: 288"), std::string::npos);
}

TEST(Summary, ResidualTakesTheLargerPath) {
  ToyResidual model;
  const ModelSummary s = summary(model, {2, 9, 9});
  EXPECT_EQ(row(s, "main1").field->rf_str(), "3");
  EXPECT_EQ(row(s, "main1").field->jump_str(), "2");
  EXPECT_EQ(row(s, "main2").field->rf_str(), "7");  // 3 + (3-1)*2
  EXPECT_EQ(row(s, "skip").field->rf_str(), "1");
  EXPECT_EQ(row(s, "skip").field->jump_str(), "2");
  EXPECT_EQ(row(s, "out").field->rf_str(), "7");
  EXPECT_EQ(row(s, "out").field->jump_str(), "2");
  EXPECT_TRUE(model.is_training()) << "summary runs in eval mode and restores the mode it found";
}

TEST(Summary, ConcatTakesTheLargerBranch) {
  ToyConcat model;
  model.train();
  const ModelSummary s = summary(model, {1, 8, 8});
  EXPECT_EQ(row(s, "a").field->rf_str(), "3");
  EXPECT_EQ(row(s, "b").field->rf_str(), "5");
  EXPECT_EQ(row(s, "fuse").field->rf_str(), "5");
  EXPECT_TRUE(model.is_training());
}

TEST(Summary, GroupedConvAndLinearMacs) {
  Sequential model(Conv2d(4, 8, {.kernel_size = 3, .padding = 1, .groups = 2}), BatchNorm2d(8), ReLU(),
                   AdaptiveAvgPool2d(1), Flatten(), Linear(8, 5));
  const ModelSummary s = summary(model, {4, 10, 10});
  EXPECT_EQ(row(s, "0").macs, 8 * (4 / 2) * 9 * 10 * 10);
  EXPECT_EQ(row(s, "1").macs, 0) << "batch norm counts 0";
  EXPECT_EQ(row(s, "5").macs, 8 * 5);
  EXPECT_EQ(s.total_macs, 14400 + 40);
  EXPECT_TRUE(row(s, "3").field->global) << "global average pooling sees the whole input";
  EXPECT_TRUE(row(s, "4").in_place) << "Flatten is a view";
}

TEST(GraphReceptiveField, TransposedConvAndUpsampling) {
  Tensor x = zeros({1, 1, 16, 16});
  x.requires_grad_(true);
  Tensor w = zeros({1, 1, 3, 3}), wt = zeros({1, 1, 4, 4});
  const Tensor down = conv2d(x, w, {}, {.stride = 2, .padding = 1});                   // rf 3, jump 2
  const Tensor up = conv_transpose2d(down, wt, {}, {.stride = 2, .padding = 1});      // 2 taps: rf 3 + 2, jump 1
  const Tensor near = interpolate(down, {.scale_factor = Scale2(2.0)});                // rf 3, jump 1
  const Tensor dil = conv2d(x, w, {}, {.padding = 2, .dilation = 2});                  // rf 5
  const Tensor se = mul(x, sigmoid(mean(x, {2, 3}, true)));                            // 1 pixel + the global gate
  const auto f = graph_receptive_fields(x, {down, up, near, dil, se, w});
  EXPECT_EQ(f[0]->rf_str(), "3");
  EXPECT_EQ(f[0]->jump_str(), "2");
  EXPECT_EQ(up.shape(), (Shape{1, 1, 16, 16}));
  EXPECT_EQ(f[1]->rf_str(), "5");
  EXPECT_EQ(f[1]->jump_str(), "1");
  EXPECT_EQ(f[2]->rf_str(), "3");
  EXPECT_EQ(f[2]->jump_str(), "1");
  EXPECT_EQ(f[3]->rf_str(), "5");
  EXPECT_FALSE(f[4]->global);
  EXPECT_TRUE(f[4]->global_context);
  EXPECT_EQ(f[4]->rf_str(), "1*");
  EXPECT_TRUE(graph_receptive_fields(x, {mean(x, {2, 3}, true)})[0]->global);
  EXPECT_FALSE(f[5].has_value()) << "a weight does not depend on the input";
}

TEST(Summary, FormatsParse) {
  auto model = models::simplecnn();
  const ModelSummary s = summary(*model, {1, 28, 28});
  const std::string csv = s.str(SummaryFormat::csv);
  std::istringstream lines(csv);
  std::string line;
  std::vector<std::string> all;
  while (std::getline(lines, line)) all.push_back(line);
  ASSERT_EQ(all.size(), s.rows.size() + 2);
  const auto columns = std::count(all[0].begin(), all[0].end(), ',');
  for (const auto& l : all) EXPECT_EQ(std::count(l.begin(), l.end(), ','), columns) << l;
  EXPECT_EQ(all[1].rfind("conv1,Conv2d,1x32x28x28,320,0,225792,100352,0,0,3,3,1,1,0,0", 0), 0u) << all[1];
  EXPECT_EQ(all.back().rfind("total,,,421642,0,4241152,", 0), 0u) << all.back();

  const auto doc = nlohmann::json::parse(s.str(SummaryFormat::json));
  EXPECT_EQ(doc["totals"]["parameters"], 421642);
  EXPECT_EQ(doc["layers"].size(), s.rows.size());
  EXPECT_EQ(doc["layers"][5]["rf"], nlohmann::json::array({10, 10}));
  EXPECT_TRUE(doc["layers"][8]["rf_global"].get<bool>());
  EXPECT_TRUE(doc["layers"][8]["jump"].is_null());

  const std::string md = s.str(SummaryFormat::markdown);
  EXPECT_EQ(std::count(md.begin(), md.end(), '|') % 10, 0);
  EXPECT_NE(md.find("| conv1 | Conv2d | [1, 32, 28, 28] | 320 | 0 |"), std::string::npos) << md;
  EXPECT_THROW(parse_summary_format("xml"), Error);
}

TEST(Summary, BadInputShapeNamesTheLayer) {
  auto model = models::simplecnn();
  EXPECT_THROW(summary(*model, {1, 28}), Error);
  try {
    summary(*model, {3, 28, 28});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("conv1 (Conv2d)"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(grad_enabled());
}
