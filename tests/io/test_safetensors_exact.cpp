// safetensors files must agree exactly with their header (issue 13 §6): no byte after the last tensor, no gap
// between tensors, a header length one byte short fails; and load_state_dict refuses a tensor of another dtype
// kind (an I32 file tensor for a float parameter) while F16/BF16/F64 still convert to f32, as documented.
#include <cnn/io.h>
#include <cnn/models.h>
#include <cnn/nn.h>

#include <fstream>

#include "test_util.h"

namespace cnn {
namespace {

std::string with_header(const std::string& json, const std::string& data) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<char>((json.size() >> (8 * i)) & 0xff);
  return out + json + data;
}

std::string write(const std::string& bytes) {
  const std::string path = test::temp_dir("safetensors_exact") + "/w.safetensors";
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

std::string load_error(const std::string& bytes) {
  const std::string path = write(bytes);
  return test::error_message([&] { load_safetensors(path); });
}

#define EXPECT_HAS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

TEST(SafetensorsExact, TrailingBytesAndGapsAreRefused) {
  const std::string one = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  EXPECT_NO_THROW(load_safetensors(write(with_header(one, std::string(8, '\0')))));
  std::string msg = load_error(with_header(one, std::string(9, '\0')));
  EXPECT_HAS(msg, "the data holds 9 bytes but its tensors cover 8: 1 bytes after tensor \"a\"");
  EXPECT_HAS(msg, "HINT:");
  msg = load_error(with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                               R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                               std::string(12, '\0')));
  EXPECT_HAS(msg, "tensor \"b\" starts at byte 8, leaving 4 unused bytes after tensor \"a\"");
  EXPECT_HAS(load_error(with_header("{}", std::string(4, '\0'))), "4 bytes after the start of the data");
}

TEST(SafetensorsExact, HeaderLengthOneByteShortFails) {
  // Padded with spaces to 8 bytes, as safetensors writers do: one byte short still parses as JSON, shifting every
  // tensor by a byte and leaving one over at the end.
  const std::string json = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})" + std::string(4, ' ');
  std::string bytes = with_header(json, std::string(8, '\1'));
  EXPECT_NO_THROW(load_safetensors(write(bytes)));
  bytes[0] = static_cast<char>(bytes[0] - 1);  // little-endian length, low byte first
  EXPECT_HAS(load_error(bytes), "the data holds 9 bytes but its tensors cover 8");
}

TEST(SafetensorsExact, IntegerTensorForAFloatParameterIsRefused) {
  const std::string path = test::temp_dir("safetensors_exact") + "/i32.safetensors";
  Linear layer(1, 1);
  const std::string header = R"({"weight":{"dtype":"I32","shape":[1,1],"data_offsets":[0,4]},)"
                             R"("bias":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})";
  const std::string file = write(with_header(header, std::string(8, '\0')));
  const std::string msg = test::error_message([&] { load_state_dict_file(layer, file); });
  EXPECT_HAS(msg, "dtype mismatch for weight: copying a param of dtype int64 from checkpoint, the dtype in current "
                  "model is float32");
  // Through the CLI: simplecnn's weights with conv1.weight stored as I64.
  StateDict state = models::create("simplecnn", {})->state_dict();
  StateDict tampered;
  for (const auto& [name, t] : state)
    tampered.insert(name, name == "conv1.weight" ? zeros(t.shape()).to(DType::i64) : t);
  const std::string dir = test::temp_dir("safetensors_exact");
  save_safetensors(dir + "/w.safetensors", tampered);
  save_safetensors(dir + "/x.safetensors", {{"input", zeros({1, 1, 28, 28})}});
  const auto r = test::run_cnn("run --model simplecnn --weights " + dir + "/w.safetensors --input " + dir +
                               "/x.safetensors --output " + dir + "/y.safetensors");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_HAS(r.err, "dtype mismatch for conv1.weight: copying a param of dtype int64");
}

TEST(SafetensorsExact, HalfAndDoubleStillConvertToFloat) {
  Linear layer(1, 1);
  const std::string header = R"({"weight":{"dtype":"F16","shape":[1,1],"data_offsets":[0,2]},)"
                             R"("bias":{"dtype":"F64","shape":[1],"data_offsets":[2,10]}})";
  std::string data("\x00\x3c", 2);  // 1.0 in half precision
  const double half = 0.5;
  data.append(reinterpret_cast<const char*>(&half), 8);
  load_state_dict_file(layer, write(with_header(header, data)));
  EXPECT_FLOAT_EQ(layer.weight.data<float>()[0], 1.0f);
  EXPECT_FLOAT_EQ(layer.bias.data<float>()[0], 0.5f);
}

}  // namespace
}  // namespace cnn
