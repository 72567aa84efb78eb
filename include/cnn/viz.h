// Visualisation, all of it: pictures of tensors, charts, interpretation methods and the run report.
// Not a plotting library: only the figures cnnkit's users need, drawn with cairo (see docs/viz.md).
#pragma once

#include <cnn/viz_chart.h>
#include <cnn/viz_image.h>
#include <cnn/viz_inside.h>
#include <cnn/viz_interpret.h>
#include <cnn/viz_model.h>
#include <cnn/viz_report.h>
#include <cnn/viz_tsne.h>
