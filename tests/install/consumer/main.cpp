// Uses the installed cnnkit: a little arithmetic, a backward pass and a model from the registry.
// Not a test of the numbers themselves (the unit tests do that): it proves headers, library and config work.
#include <cnn/cnn.h>
#include <cnn/models.h>

#include <cstdio>

int main() {
  cnn::Tensor x = cnn::ones({2, 3}).requires_grad_();
  cnn::Tensor y = cnn::sum(x * 2.0);
  y.backward();
  const double grad = cnn::sum(x.grad()).item();
  const float first = x.grad().contiguous().data<float>()[0];  // a header template that formats its errors
  const int64_t params = cnn::models::create("simplecnn")->num_parameters();
  std::printf("consumer: sum=%g grad=%g simplecnn=%lld\n", y.item(), grad, static_cast<long long>(params));
  return y.item() == 12.0 && grad == 12.0 && first == 2.0f && params == 421642 ? 0 : 1;
}
