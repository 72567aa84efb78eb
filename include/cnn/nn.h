// The nn layer in one include, as torch.nn: Module and Sequential, the layers, and nn.init.
// Not the functional ops (ops.h) nor optimisers (optim.h).
#pragma once

#include <cnn/activation.h>
#include <cnn/batchnorm.h>
#include <cnn/init.h>
#include <cnn/layers.h>
#include <cnn/layers_activation.h>
#include <cnn/layers_conv.h>
#include <cnn/layers_norm.h>
#include <cnn/layers_resample.h>
#include <cnn/module.h>
#include <cnn/ordered_dict.h>
#include <cnn/sequential.h>
