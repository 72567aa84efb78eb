// cnn train --model googlenet --aux-logits as users run it: the heads trained (the header says so), saved in
// model.safetensors with config.json's aux_logits, evaluated by cnn eval from the run folder, carried over by
// cnn finetune --from; other models refuse the flag. Tiny 28x28 data: one step each.
#include <cnn/io.h>

#include <nlohmann/json.hpp>

#include "noisy_mnist.h"
#include "test_util.h"

using namespace cnn;

namespace {

using Result = cnn::test::CommandResult;

nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(test::slurp(path)); }

TEST(AuxLogitsCli, GoogLeNetHeadsAreTrainedSavedEvaluatedAndFinetuned) {
  const std::string dir = test::temp_dir("aux_logits_cli"), out = dir + "/run";
  test::write_noisy_mnist(dir, 32, 16);
  const Result r =
      test::train_on_noisy_mnist(dir, out, "--model googlenet --aux-logits --epochs 1 -b 16 --train-subset 16 --opt sgd --momentum 0");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("auxiliary classifiers aux1, aux2 trained at loss weight 0.3"), std::string::npos) << r.out;
  EXPECT_EQ(read_json(out + "/config.json")["aux_logits"], true);
  const StateDict weights = load_safetensors(out + "/model.safetensors");
  EXPECT_NE(weights.find("aux1.fc2.weight"), nullptr);
  EXPECT_NE(weights.find("aux2.fc2.weight"), nullptr);
  const Result eval = test::run_cnn(fmt::format("eval {} --threads 2", out));
  ASSERT_EQ(eval.code, 0) << eval.out << eval.err;
  EXPECT_NE(eval.out.find("(16 images, 10 classes)"), std::string::npos) << eval.out;
  // finetune --from the run: the heads come along (the weights load strictly) and get new classes with fc.
  const Result tuned = test::run_cnn(
      fmt::format("finetune --from {} --data-dir {} --output {}/tuned --num-classes 12 --epochs 1 -b 16 "
                  "--train-subset 16 --freeze none --opt sgd --momentum 0 --threads 2 --no-report -q",
                  out, dir, dir));
  ASSERT_EQ(tuned.code, 0) << tuned.out << tuned.err;
  EXPECT_EQ(read_json(dir + "/tuned/config.json")["aux_logits"], true);
  const StateDict finetuned = load_safetensors(dir + "/tuned/model.safetensors");
  for (const char* head : {"fc.weight", "aux1.fc2.weight", "aux2.fc2.weight"})
    EXPECT_EQ(finetuned.at(head).shape(), (Shape{12, 1024})) << head;

  const Result wrong = test::train_on_noisy_mnist(dir, out + "2", "--model lenet5 --aux-logits");
  EXPECT_EQ(wrong.code, 1);
  EXPECT_NE(wrong.err.find("aux_logits"), std::string::npos) << wrong.err;
}

}  // namespace
