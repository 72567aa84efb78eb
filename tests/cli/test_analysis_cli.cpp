// `cnn rf`, `cnn shape` and `cnn summary --format` as users run them: the course's figures in the output, the
// formula filled in, one-line errors with exit code 1, and CSV / JSON / markdown that parse.

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "test_util.h"

namespace fs = std::filesystem;

namespace {

using Result = cnn::test::CommandResult;

Result cnn_cli(const std::string& args) { return cnn::test::run_cnn(args); }

#define EXPECT_HAS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

}  // namespace

TEST(AnalysisCli, HelpDocumentsTheGrammar) {
  for (const char* args : {"rf --help", "shape --help"}) {
    const Result r = cnn_cli(args);
    EXPECT_EQ(r.code, 0) << args;
    EXPECT_HAS(r.out, "Usage");
  }
  EXPECT_HAS(cnn_cli("rf --help").out, "conv<k>[s<stride>][d<dilation>][p<padding>]");
  EXPECT_HAS(cnn_cli("shape --help").out, "--output-padding");
}

TEST(AnalysisCli, RfLayers) {
  Result r = cnn_cli("rf --layers conv3,conv3,conv3");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_HAS(r.out, "RF_l = RF_(l-1) + (K_l - 1) * D_l * J_(l-1)");
  EXPECT_HAS(r.out, "5 + (3-1)*1*1 = 7");
  EXPECT_HAS(r.out, "each output sees a 7x7 window");

  r = cnn_cli("rf --layers conv3,conv3s2,conv3s2");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_HAS(r.out, "5 + (3-1)*1*2 = 9");
  EXPECT_HAS(r.out, "2*2 = 4");
  EXPECT_HAS(r.out, "each output sees a 9x9 window of the input; neighbouring outputs are 4 input pixel(s) apart");

  r = cnn_cli("rf --layers conv3,conv3d2,conv3d4 --in 32");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_HAS(r.out, "7 + (3-1)*4*1 = 15");
  EXPECT_HAS(r.out, "size");
}

TEST(AnalysisCli, RfModel) {
  const Result r = cnn_cli("rf --model simplecnn");
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream lines(r.out);
  std::vector<std::string> pool_rows;
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("pool ", 0) == 0) pool_rows.push_back(line);
  ASSERT_EQ(pool_rows.size(), 2u) << r.out;
  EXPECT_HAS(pool_rows[1], "[1, 64, 7, 7]");
  EXPECT_EQ(pool_rows[1].substr(pool_rows[1].size() - 10), "10       4") << "002 §6: SimpleCNN's last pool sees 10x10";
  EXPECT_HAS(r.out, "global");
}

TEST(AnalysisCli, RfErrors) {
  for (const char* args : {"rf", "rf --layers conv3,fc2", "rf --layers conv3s", "rf --layers conv7,conv7 --in 8",
                           "rf --layers conv3 --model simplecnn"}) {
    const Result r = cnn_cli(args);
    EXPECT_EQ(r.code, 1) << args;
    EXPECT_EQ(r.err.rfind("cnn: error: ", 0), 0u) << args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  EXPECT_HAS(cnn_cli("rf --layers conv3,fc2").err, "item 2 'fc2'");
}

TEST(AnalysisCli, Shape) {
  Result r = cnn_cli("shape --op conv --in 32 --kernel 3 --stride 2 --padding 1");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_HAS(r.out, "out = floor((32 + 2*1 - 1*(3-1) - 1) / 2) + 1 = 16");

  r = cnn_cli("shape --op conv --in 28 --kernel 3 --stride 2");
  EXPECT_HAS(r.out, "= 13");
  EXPECT_HAS(r.out, "1 of them are input rows");

  r = cnn_cli("shape --op pool --in 32 --kernel 2");
  EXPECT_HAS(r.out, "out = floor((32 + 2*0 - 1*(2-1) - 1) / 2) + 1 = 16") << "pool stride defaults to the kernel";

  r = cnn_cli("shape --op convtranspose --in 8 --kernel 4 --stride 2 --padding 1");
  EXPECT_HAS(r.out, "out = (8 - 1)*2 - 2*1 + 1*(4-1) + 0 + 1 = 16");

  r = cnn_cli("shape --op convtranspose --in 8 --kernel 3 --stride 2 --padding 1 --target 16");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_HAS(r.out, "= 15");
  EXPECT_HAS(r.out, "target 16: use output_padding=1");
}

TEST(AnalysisCli, ShapeErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"shape --op conv --in 5 --kernel 7", "larger than the padded input"},
      {"shape --op pool --in 32 --kernel 2 --padding 2", "more than half the kernel size"},
      {"shape --op convtranspose --in 8 --kernel 3 --stride 2 --output-padding 2", "smaller than either stride"},
      {"shape --op conv --in 8 --kernel 3 --output-padding 1", "output_padding is for convtranspose only"},
      {"shape --op deconv --in 8 --kernel 3", "--op"},
      {"shape --op conv --in 8", "--kernel"},
  };
  for (const auto& [args, part] : cases) {
    const Result r = cnn_cli(args);
    EXPECT_EQ(r.code, 1) << args;
    EXPECT_EQ(r.err.rfind("cnn: error: ", 0), 0u) << args << ": " << r.err;
    EXPECT_HAS(r.err, part);
  }
}

TEST(AnalysisCli, SummaryFormatsParse) {
  Result r = cnn_cli("summary --model simplecnn --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["totals"]["parameters"], 421642);
  EXPECT_EQ(doc["layers"][0]["name"], "conv1");
  EXPECT_EQ(doc["input_shape"], nlohmann::json::array({1, 1, 28, 28}));

  r = cnn_cli("summary --model lenet5 --format csv");
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line.rfind("name,type,output_shape,trainable_params,frozen_params,macs,", 0), 0u) << line;
  const auto columns = std::count(line.begin(), line.end(), ',');
  std::string last;
  while (std::getline(lines, line)) {
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), columns) << line;
    last = line;
  }
  EXPECT_EQ(last.rfind("total,,,61706,0,", 0), 0u) << last;

  r = cnn_cli("summary --model simplecnn --format markdown");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_HAS(r.out, "| Layer | Type | Output shape | Trainable | Frozen | MACs | Memory | RF | Jump |");
  EXPECT_HAS(r.out, "- Total params: 421,642");

  r = cnn_cli("summary --model simplecnn");
  EXPECT_HAS(r.out, "Total MACs: 4,241,152 (4.24 M)");
  EXPECT_HAS(r.out, "Forward activations per image: 47,962 values, 0.19 MB");

  r = cnn_cli("summary --model simplecnn --format xml");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("cnn: error: ", 0), 0u) << r.err;
}
