// oneDNN batch normalisation: training forward (batch statistics), inference forward (given statistics) and the
// training backward. x is [N, C], [N, C, L] or [N, C, H, W] (NCHW or NHWC); outputs keep x's memory format.
// 5-D and wider inputs fall back to RefBackend.
#include <cmath>

#include "backend/onednn/onednn_backend.h"
#include "backend/onednn/onednn_context.h"
#include "tensor/raw.h"

namespace cnn {

using namespace onednn;
using dnnl::normalization_flags;
using dnnl::prop_kind;

namespace {

// x viewed as 4-D plain data: the tensor to read, its dims and its layout.
struct Plain {
  Tensor data;
  memory::dims dims;
  tag layout;
};

Plain plain(const Tensor& x) {
  if (x.dim() == 4) {
    Plain p;
    p.data = as_plain_4d(x, true, &p.layout);
    p.dims = dims_of(x.shape());
    return p;
  }
  return {raw::contiguous(x), {x.size(0), x.size(1), x.dim() == 3 ? x.size(2) : 1, 1}, tag::nchw};
}

// Same memory format as `like` (a Plain's data), for dy.
Tensor like_layout(const Tensor& t, const Plain& like) {
  if (t.dim() == 4 && like.layout == tag::nhwc) return in_format(t, MemoryFormat::channels_last);
  if (t.dim() == 4) return in_format(t, MemoryFormat::contiguous);
  return raw::contiguous(t);
}

Tensor empty_like_plain(const Tensor& x, const Plain& p) {
  return x.dim() == 4 ? empty_as(x.shape(), p.layout) : Tensor::empty(x.shape());
}

memory::desc vec(int64_t n) { return memory::desc({n}, dt::f32, tag::x); }

normalization_flags affine_flags(bool affine) {
  return affine ? normalization_flags::use_scale | normalization_flags::use_shift : normalization_flags::none;
}

dnnl::batch_normalization_forward::primitive_desc forward_pd(prop_kind kind, const memory::desc& src, float eps,
                                                             normalization_flags flags) {
  return {dnnl::batch_normalization_forward::desc(kind, src, eps, flags), scratchpad_attr(), engine()};
}

struct Forward {
  dnnl::batch_normalization_forward::primitive_desc pd;
  dnnl::batch_normalization_forward prim;
};
struct Backward {
  dnnl::batch_normalization_backward::primitive_desc pd;
  dnnl::batch_normalization_backward prim;
};

std::shared_ptr<const Forward> forward_entry(const char* name, prop_kind kind, const Plain& p, double eps,
                                             normalization_flags flags) {
  const std::string key = fmt::format("{}|{}|{}|{}|{}", name, p.dims, static_cast<int>(p.layout), eps,
                                      static_cast<unsigned>(flags));
  return cache().get<Forward>(key, [&] {
    auto pd = forward_pd(kind, memory::desc(p.dims, dt::f32, p.layout), static_cast<float>(eps), flags);
    return Forward{pd, dnnl::batch_normalization_forward(pd)};
  });
}

}  // namespace

// x [N, C, *], gamma/beta [C] or undefined -> {y like x, batch mean [C], biased var [C], invstd [C]}.
Backend::BatchNormStats OneDnnBackend::batchnorm_forward_training(const Tensor& x, const Tensor& gamma,
                                                                  const Tensor& beta, double eps) {
  if (x.dim() > 4 || x.numel() == 0) return RefBackend::batchnorm_forward_training(x, gamma, beta, eps);
  const Plain p = plain(x);
  const SerialScope serial(x.numel() < SerialScope::kSerialElements);
  const bool affine = gamma.defined();
  auto e = forward_entry("bn_fwd_train", prop_kind::forward_training, p, eps, affine_flags(affine));
  const int64_t C = x.size(1);
  BatchNormStats s{empty_like_plain(x, p), Tensor::empty(Shape{C}), Tensor::empty(Shape{C}), Tensor::empty(Shape{C})};
  Bindings args;
  args.add(DNNL_ARG_SRC, e->pd.src_desc(), p.data)
      .add(DNNL_ARG_DST, e->pd.dst_desc(), s.y)
      .add(DNNL_ARG_MEAN, vec(C), s.mean)
      .add(DNNL_ARG_VARIANCE, vec(C), s.var);
  if (affine)
    args.add(DNNL_ARG_SCALE, vec(C), raw::contiguous(gamma)).add(DNNL_ARG_SHIFT, vec(C), raw::contiguous(beta));
  args.run(e->prim);
  const float* v = s.var.data<float>();
  float* inv = s.invstd.data<float>();
  for (int64_t c = 0; c < C; ++c) inv[c] = static_cast<float>(1.0 / std::sqrt(double(v[c]) + eps));
  return s;
}

// x [N, C, *], gamma/beta [C] or undefined, running mean/var [C] -> y like x.
Tensor OneDnnBackend::batchnorm_forward_inference(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                                  const Tensor& mean, const Tensor& var, double eps) {
  if (x.dim() > 4 || x.numel() == 0) return RefBackend::batchnorm_forward_inference(x, gamma, beta, mean, var, eps);
  const Plain p = plain(x);
  const SerialScope serial(x.numel() < SerialScope::kSerialElements);
  const bool affine = gamma.defined();
  auto e = forward_entry("bn_fwd_infer", prop_kind::forward_inference, p, eps,
                         affine_flags(affine) | normalization_flags::use_global_stats);
  const int64_t C = x.size(1);
  Tensor y = empty_like_plain(x, p);
  Bindings args;
  args.add(DNNL_ARG_SRC, e->pd.src_desc(), p.data)
      .add(DNNL_ARG_DST, e->pd.dst_desc(), y)
      .add(DNNL_ARG_MEAN, vec(C), raw::contiguous(mean))
      .add(DNNL_ARG_VARIANCE, vec(C), raw::contiguous(var));
  if (affine)
    args.add(DNNL_ARG_SCALE, vec(C), raw::contiguous(gamma)).add(DNNL_ARG_SHIFT, vec(C), raw::contiguous(beta));
  args.run(e->prim);
  return y;
}

// dy, x [N, C, *], gamma [C] or undefined, batch mean/invstd [C] -> {dx like x, dgamma [C], dbeta [C]}.
// oneDNN wants the variance: it gets 1/invstd^2 with eps 0, so it recovers the forward's invstd exactly.
Backend::BatchNormGrads OneDnnBackend::batchnorm_backward(const Tensor& dy, const Tensor& x, const Tensor& gamma,
                                                          const Tensor& mean, const Tensor& invstd, bool need_dx,
                                                          bool need_affine) {
  if (x.dim() > 4 || x.numel() == 0)
    return RefBackend::batchnorm_backward(dy, x, gamma, mean, invstd, need_dx, need_affine);
  const Plain p = plain(x);
  const SerialScope serial(x.numel() < SerialScope::kSerialElements);
  const bool affine = gamma.defined();
  const normalization_flags flags = affine_flags(affine);
  const std::string key = fmt::format("bn_bwd|{}|{}|{}", p.dims, static_cast<int>(p.layout), affine);
  auto e = cache().get<Backward>(key, [&] {
    const memory::desc src(p.dims, dt::f32, p.layout);
    dnnl::batch_normalization_backward::desc d(affine ? prop_kind::backward : prop_kind::backward_data, src, src,
                                               0.0f, flags);
    auto hint = forward_pd(prop_kind::forward_training, src, 0.0f, flags);
    dnnl::batch_normalization_backward::primitive_desc pd(d, scratchpad_attr(), engine(), hint);
    return Backward{pd, dnnl::batch_normalization_backward(pd)};
  });
  const int64_t C = x.size(1);
  Tensor var = Tensor::empty(Shape{C});
  const Tensor inv = raw::contiguous(invstd);
  for (int64_t c = 0; c < C; ++c) {
    const double s = inv.data<float>()[c];
    var.data<float>()[c] = static_cast<float>(1.0 / (s * s));
  }
  BatchNormGrads g{empty_like_plain(x, p), Tensor(), Tensor()};
  Bindings args;
  args.add(DNNL_ARG_SRC, e->pd.src_desc(), p.data)
      .add(DNNL_ARG_DIFF_DST, e->pd.diff_dst_desc(), like_layout(dy, p))
      .add(DNNL_ARG_MEAN, vec(C), raw::contiguous(mean))
      .add(DNNL_ARG_VARIANCE, vec(C), var)
      .add(DNNL_ARG_DIFF_SRC, e->pd.diff_src_desc(), g.dx);
  if (affine) {
    g.dgamma = Tensor::empty(Shape{C});
    g.dbeta = Tensor::empty(Shape{C});
    // oneDNN 2.6 asks for a shift argument it never reads in backward: gamma stands in for beta.
    const Tensor scale = raw::contiguous(gamma);
    args.add(DNNL_ARG_SCALE, vec(C), scale)
        .add(DNNL_ARG_SHIFT, vec(C), scale)
        .add(DNNL_ARG_DIFF_SCALE, vec(C), g.dgamma)
        .add(DNNL_ARG_DIFF_SHIFT, vec(C), g.dbeta);
  }
  args.run(e->prim);
  if (!need_dx) g.dx = Tensor();
  if (!need_affine) g.dgamma = g.dbeta = Tensor();
  return g;
}

}  // namespace cnn
