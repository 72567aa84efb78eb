// safetensors: round trips, files written the way safetensors.torch writes them (tests/fixtures/*.safetensors),
// loading a PyTorch state_dict into the same model, and clear errors for damaged files.
#include <cnn/io.h>
#include <cnn/nn.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace cnn {
namespace {

namespace fs = std::filesystem;

std::string fixture_file(const std::string& name) { return std::string(CNN_FIXTURES_DIR) + "/" + name; }

class Safetensors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(CNN_BINARY_DIR) / "test_safetensors_tmp" /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(dir_);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string bytes_of(const std::string& file) const {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  void write(const std::string& file, const std::string& bytes) const {
    std::ofstream(file, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  // The error message load_safetensors gives for a file holding `bytes`.
  std::string error_for(const std::string& bytes) const {
    const std::string file = path("bad.safetensors");
    write(file, bytes);
    try {
      load_safetensors(file);
    } catch (const Error& e) {
      return e.what();
    }
    return "(no error)";
  }

  fs::path dir_;
};

std::string with_header(const std::string& json, const std::string& data) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<char>((json.size() >> (8 * i)) & 0xff);
  return out + json + data;
}

TEST_F(Safetensors, RoundTripKeepsOrderShapesAndDtypes) {
  manual_seed(0);
  StateDict d;
  d.insert("z.weight", test::uniform({3, 2, 2, 1}));
  d.insert("a.count", scalar_tensor(12345678901234, DType::i64));
  d.insert("m.empty", zeros({0, 4}));
  d.insert("m.labels", from_vector(std::vector<int64_t>{-1, 0, 7}, {3}));
  d.insert("m.channels_last", test::uniform({2, 3, 4, 5}).contiguous(MemoryFormat::channels_last));
  save_safetensors(path("t.safetensors"), d, {{"format", "pt"}, {"epoch", "3"}});
  const StateDict back = load_safetensors(path("t.safetensors"));
  EXPECT_EQ(back.keys(), d.keys());
  for (const auto& [name, t] : d) {
    EXPECT_EQ(back[name].dtype(), t.dtype()) << name;
    EXPECT_EQ(back[name].shape(), t.shape()) << name;
    EXPECT_ALLCLOSE(back[name].to(DType::f32), t.to(DType::f32), 0, 0);
  }
  EXPECT_EQ(back["a.count"].to_vector<int64_t>()[0], 12345678901234);
  const auto meta = load_safetensors_metadata(path("t.safetensors"));
  EXPECT_EQ(meta.at("epoch"), "3");
  EXPECT_EQ((bytes_of(path("t.safetensors")).size() - 8) % 4, 0u);
}

TEST_F(Safetensors, ModuleSaveAndLoad) {
  manual_seed(1);
  Sequential a(Conv2d(1, 2, {.kernel_size = 3}), BatchNorm2d(2), Flatten(), Linear(8, 3));
  manual_seed(2);
  Sequential b(Conv2d(1, 2, {.kernel_size = 3}), BatchNorm2d(2), Flatten(), Linear(8, 3));
  a.at<BatchNorm2d>(1)->running_var.fill_(2.5);
  save_state_dict(a, path("m.safetensors"));
  load_state_dict_file(b, path("m.safetensors"));
  for (const auto& [name, t] : a.state_dict())
    EXPECT_ALLCLOSE(b.state_dict()[name].to(DType::f32), t.to(DType::f32), 0, 0);
  Sequential other(Linear(8, 3));
  try {
    load_state_dict_file(other, path("m.safetensors"));
    FAIL();
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("m.safetensors"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Unexpected key(s) in state_dict: \"1.weight\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("size mismatch for 0.weight: copying a param with shape [2, 1, 3, 3] from checkpoint"),
              std::string::npos)
        << msg;
  }
}

TEST_F(Safetensors, LoadsAPyTorchStateDict) {
  const StateDict state = load_safetensors(fixture_file("torch_model.safetensors"));
  EXPECT_EQ(state.size(), 9u);
  EXPECT_EQ(state["1.num_batches_tracked"].dtype(), DType::i64);
  EXPECT_EQ(state["1.num_batches_tracked"].item(), 2);
  for (const auto& [name, t] : state)
    EXPECT_ALLCLOSE(t.to(DType::f32), test::fixture("safetensors", "model", name).to(DType::f32), 0, 0);
  EXPECT_EQ(load_safetensors_metadata(fixture_file("torch_model.safetensors")).at("format"), "pt");

  Sequential model(Conv2d(1, 2, {.kernel_size = 3}), BatchNorm2d(2), ReLU(), Flatten(), Linear(8, 3));
  load_state_dict_file(model, fixture_file("torch_model.safetensors"));
  model.eval();
  EXPECT_ALLCLOSE(model(test::fixture("safetensors", "model", "x")), test::fixture("safetensors", "model", "out"),
                  1e-4, 1e-5);
}

TEST_F(Safetensors, ConvertsOtherDtypes) {
  const StateDict state = load_safetensors(fixture_file("dtypes.safetensors"));
  for (const char* name : {"f16", "bf16", "f64", "i32", "i16", "i8", "u8", "flags", "scalar"}) {
    const Tensor expected = test::fixture("safetensors", "dtypes", name);
    // I8 loads as int8 (quantised weights), BF16 as bfloat16; the fixture stores every integer as int64.
    const std::string n = name;
    EXPECT_EQ(state[name].dtype(), n == "i8" ? DType::i8 : n == "bf16" ? DType::bf16 : expected.dtype()) << name;
    EXPECT_ALLCLOSE(state[name].to(DType::f32), expected.to(DType::f32), 1e-7, 0);
  }
}

TEST_F(Safetensors, DamagedFilesGiveClearErrors) {
  const std::string good = bytes_of(fixture_file("torch_model.safetensors"));
  auto expect_error = [&](const std::string& bytes, const std::string& part) {
    const std::string msg = error_for(bytes);
    EXPECT_NE(msg.find(part), std::string::npos) << msg;
    EXPECT_NE(msg.find("bad.safetensors"), std::string::npos) << msg;
    EXPECT_NE(msg.find("HINT:"), std::string::npos) << msg;
  };
  expect_error("", "too short");
  expect_error(good.substr(0, 5), "too short");
  expect_error(good.substr(0, 40), "does not fit");
  expect_error(good.substr(0, good.size() - 4), "outside");
  expect_error(with_header("{\"a\": [1, 2", ""), "not a JSON object");
  expect_error(with_header("[1, 2]", ""), "not a JSON object");
  expect_error(with_header(R"({"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}})", std::string(8, '\0')),
               "dtype C64");
  expect_error(with_header(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", std::string(8, '\0')),
               "needs 12");
  expect_error(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[4,0]}})", std::string(8, '\0')),
               "outside");
  expect_error(with_header(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", std::string(8, '\0')),
               "non-size");
  expect_error(with_header(R"({"a":{"dtype":"F32","shape":[2]}})", std::string(8, '\0')), "data_offsets");
  expect_error(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                           R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                           std::string(8, '\0')),
               "overlap");
  std::string huge = good;
  huge[7] = '\x7f';
  expect_error(huge, "does not fit");
  const std::string missing = path("no_such_file.safetensors");
  try {
    load_safetensors(missing);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos) << e.what();
  }
  try {
    load_safetensors(dir_.string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos) << e.what();
  }
  EXPECT_THROW(save_safetensors(path("no_dir/x/y.safetensors"), {{"a", zeros({1})}}), Error);
}

}  // namespace
}  // namespace cnn
