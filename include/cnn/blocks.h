// The building blocks of the model zoo in one include: residual, squeeze-excitation, mobile (depthwise and
// inverted residual), dense and inception blocks, with torchvision's (or the course's) child names.
// Not whole models (models.h). Usage: auto block = BasicBlock(64, 128, {.stride = 2});
#pragma once

#include <cnn/blocks_dense.h>
#include <cnn/blocks_inception.h>
#include <cnn/blocks_mobile.h>
#include <cnn/blocks_resnet.h>
#include <cnn/blocks_se.h>
