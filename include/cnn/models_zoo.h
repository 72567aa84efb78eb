// The model zoo: torchvision's classification models with its state_dict keys, parameter counts and
// initialisation, and the course's own architectures. Not the blocks (blocks.h). Each function builds a fresh
// model with random weights; load PyTorch weights with load_state_dict_file (io.h). Included by models.h.
// Usage: auto net = models::resnet50({.num_classes = 10});  Tensor logits = (*net)(x);
#pragma once

#include <cnn/aux_outputs.h>
#include <cnn/models.h>

namespace cnn::models {

// ---- torchvision (1000 classes and 3 input channels unless the options say otherwise) ----
// Parameter counts are torchvision's for 1000 classes: vgg16 138,357,544; resnet18 11,689,512; resnet34
// 21,797,672; resnet50 25,557,032; resnext50_32x4d 25,028,904; mobilenet_v2 3,504,872; densenet121 7,978,856;
// googlenet 6,624,904 (13,004,888 with aux_logits); alexnet 61,100,840; shufflenet_v2_x1_0 2,278,604;
// squeezenet1_0 1,248,424; efficientnet_b0 5,288,548.

/// VGG: features (3x3 convolutions, [BatchNorm2d,] ReLU, max-pools), avgpool to 7x7, classifier (4096, 4096, K).
ModulePtr vgg11(const ModelOptions& options = {});
ModulePtr vgg11_bn(const ModelOptions& options = {});
ModulePtr vgg13(const ModelOptions& options = {});
ModulePtr vgg13_bn(const ModelOptions& options = {});
ModulePtr vgg16(const ModelOptions& options = {});
ModulePtr vgg16_bn(const ModelOptions& options = {});
ModulePtr vgg19(const ModelOptions& options = {});
ModulePtr vgg19_bn(const ModelOptions& options = {});

/// ResNet: conv1 7x7/2, bn1, relu, maxpool, layer1..layer4, avgpool, fc. With .cifar_stem: conv1 3x3/1 and
/// maxpool = Identity (torchvision's names kept).
ModulePtr resnet18(const ModelOptions& options = {});
ModulePtr resnet34(const ModelOptions& options = {});
ModulePtr resnet50(const ModelOptions& options = {});
ModulePtr resnet101(const ModelOptions& options = {});
ModulePtr resnet152(const ModelOptions& options = {});
ModulePtr resnext50_32x4d(const ModelOptions& options = {});
ModulePtr resnext101_32x8d(const ModelOptions& options = {});
ModulePtr wide_resnet50_2(const ModelOptions& options = {});

/// MobileNetV2: features (Conv2dNormActivation, 17 InvertedResidual, Conv2dNormActivation), classifier
/// (Dropout(0.2), Linear). .width_mult scales every width (rounded to multiples of 8; the last stays >= 1280).
ModulePtr mobilenet_v2(const ModelOptions& options = {});

/// DenseNet-BC: features (conv0, norm0, relu0, pool0, denseblock1, transition1, ..., denseblock4, norm5),
/// classifier. densenet121: growth 32, blocks (6, 12, 24, 16), 64 initial features.
ModulePtr densenet121(const ModelOptions& options = {});
ModulePtr densenet161(const ModelOptions& options = {});
ModulePtr densenet169(const ModelOptions& options = {});
ModulePtr densenet201(const ModelOptions& options = {});

/// AlexNet as torchvision (the single-GPU "one weird trick" variant: 64-192-384-256-256 channels, no LRN).
ModulePtr alexnet(const ModelOptions& options = {});

/// ShuffleNetV2: conv1, maxpool, stage2..stage4 (channel split + channel_shuffle), conv5, global mean, fc.
ModulePtr shufflenet_v2_x0_5(const ModelOptions& options = {});
ModulePtr shufflenet_v2_x1_0(const ModelOptions& options = {});
ModulePtr shufflenet_v2_x1_5(const ModelOptions& options = {});
ModulePtr shufflenet_v2_x2_0(const ModelOptions& options = {});

/// SqueezeNet: features (Fire modules: squeeze 1x1, expand1x1 and expand3x3 concatenated), classifier
/// (Dropout, final_conv 1x1 to K, ReLU, global average pool).
ModulePtr squeezenet1_0(const ModelOptions& options = {});
ModulePtr squeezenet1_1(const ModelOptions& options = {});

/// EfficientNet-B0: features (stem, 16 MBConv in 7 stages with SiLU, squeeze-excitation and stochastic depth
/// 0.2, head 1x1 to 1280), avgpool, classifier (Dropout(0.2), Linear). B1..B3 scale B0 as torchvision (widths x
/// 1.0, 1.1, 1.2 rounded to multiples of 8; stage depths ceil(x 1.1, 1.2, 1.4); dropout 0.2, 0.3, 0.3), designed
/// for 240, 260 and 300 pixels: 7,794,184, 9,109,994 and 12,233,232 parameters.
ModulePtr efficientnet_b0(const ModelOptions& options = {});
ModulePtr efficientnet_b1(const ModelOptions& options = {});
ModulePtr efficientnet_b2(const ModelOptions& options = {});
ModulePtr efficientnet_b3(const ModelOptions& options = {});

/// GoogLeNet (Inception v1) as torchvision with transform_input=False. Its forward returns the main logits;
/// with .aux_logits, forward_with_aux() also gives the auxiliary logits while training, as torchvision's
/// GoogLeNetOutputs(logits, aux_logits2, aux_logits1), and forward_train() gives them to train_one_epoch with the
/// paper's loss weight 0.3 each. kwargs branch3_kernel=5 builds the paper's 5x5 convolutions in branch3 where
/// torchvision has 3x3 (7,005,832 parameters; torchvision's weights need the 3).
class GoogLeNet : public Module, public AuxOutputs {
 public:
  /// The weight of each auxiliary loss in the training objective (Szegedy et al. 2015, section 5).
  static constexpr double kAuxLossWeight = 0.3;

  explicit GoogLeNet(const ModelOptions& options = {});
  Tensor forward(const Tensor& x) override;
  struct Outputs {
    Tensor logits, aux_logits2, aux_logits1;  // aux: undefined unless training with aux_logits
  };
  Outputs forward_with_aux(const Tensor& x);
  /// The main logits and, training with aux_logits, aux1's and aux2's logits, each with weight kAuxLossWeight.
  TrainOutputs forward_train(const Tensor& x) override;
  std::string type_name() const override { return "GoogLeNet"; }
};
std::shared_ptr<GoogLeNet> googlenet(const ModelOptions& options = {});

// ---- The course's architectures ----

/// MobileNetV1 (seeds 004): stem conv 3x3/2 + BN + ReLU, 13 DepthwiseSeparableConv, global average pool, fc.
/// .width_mult is alpha (every width times alpha); .resolution_mult is rho: it leaves the network as it is and
/// only sets the designed input to round(224 * rho), which the model prints. 4,231,976 parameters at alpha 1.
ModulePtr mobilenet_v1(const ModelOptions& options = {});

/// The original two-GPU AlexNet (Krizhevsky et al. 2012): 96-256-384-384-256 channels, conv2/4/5 with groups=2,
/// LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2) after conv1 and conv2; 60,965,224 parameters.
ModulePtr alexnet_original(const ModelOptions& options = {});

/// Network-in-Network (Lin et al. 2014), the CIFAR-10 model: three mlpconv blocks (k x k conv + two 1x1 convs,
/// ReLU), max/avg pools and dropout between them, the last 1x1 conv giving K maps, then global average pooling.
ModulePtr nin(const ModelOptions& options = {});

/// Seeds 001 §3.1: conv1..conv3 (3x3, 32-64-128), pool, fc1 (2048 -> 256), dropout, fc2; 32x32 inputs,
/// 620,362 parameters with 10 classes.
ModulePtr simplecnn_cifar(const ModelOptions& options = {});

/// Seeds 001 §3.2 VGGStyleCNN: block1..block3 of ConvBlock (conv, bn, ReLU) and max-pools, classifier (global
/// average pool, flatten, Linear(256, 256), ReLU, Dropout(0.5), Linear).
ModulePtr vgg_style(const ModelOptions& options = {});

/// Seeds 001 §3.3 ResNets for 32x32 inputs: conv1 3x3/1, bn1, layer1..4, avgpool, fc, with the course's block
/// names (shortcut). resnet18_cifar with 10 classes: 11,173,962 parameters.
ModulePtr resnet18_cifar(const ModelOptions& options = {});
ModulePtr resnet34_cifar(const ModelOptions& options = {});
ModulePtr resnet50_cifar(const ModelOptions& options = {});
/// He et al. 2016 §4.2's CIFAR networks of depth 6n + 2 (registered as resnet20/32/44/56/110 and plain20/...):
/// conv1 3x3 16, bn1, layer1..3 of n blocks (conv1, bn1, conv2, bn2) on 16/32/64 channels, avgpool, fc; residual
/// with option A shortcuts (identity, zero-padded: no parameters), or plain without them. ResNet-20 with 10
/// classes: 269,722 parameters, as its plain twin; ResNet-56: 853,018.
ModulePtr cifar_resnet(int64_t depth, bool residual, const ModelOptions& options = {});
/// The configurable plain CNN of ablation studies (models_plain.h), its knobs from options.kwargs.
ModulePtr plaincnn(const ModelOptions& options = {});

}  // namespace cnn::models
