// Links only cnnkit::core: builds simplecnn and resnet18 from the registry and runs a forward pass through each.
// Not a test of the numbers (the unit tests do that): it proves a model runs without the data, train and viz layers.
#include <cnn/cnn.h>
#include <cnn/models.h>

#include <cstdio>

int main() {
  cnn::NoGradGuard no_grad;
  auto simple = cnn::models::create("simplecnn");
  simple->eval();
  const cnn::Tensor a = (*simple)(cnn::randn({2, 1, 28, 28}));
  auto resnet = cnn::models::create("resnet18", {.num_classes = 10});
  resnet->eval();
  const cnn::Tensor b = (*resnet)(cnn::randn({1, 3, 32, 32}));
  std::printf("core_consumer: simplecnn %s, resnet18 %s\n", a.shape().str().c_str(), b.shape().str().c_str());
  return a.shape() == cnn::Shape({2, 10}) && b.shape() == cnn::Shape({1, 10}) ? 0 : 1;
}
