// cnnkit's umbrella header: include this to get the whole public API.
#pragma once

#include <cnn/autocast.h>
#include <cnn/autograd.h>
#include <cnn/backend.h>
#include <cnn/error.h>
#include <cnn/ops.h>
#include <cnn/options.h>
#include <cnn/random.h>
#include <cnn/shape.h>
#include <cnn/tensor.h>
#include <cnn/init.h>
#include <cnn/io.h>
#include <cnn/nn.h>
#include <cnn/optim.h>
#include <cnn/optim_utils.h>
#include <cnn/scheduler.h>
#include <cnn/scheduler_factory.h>
