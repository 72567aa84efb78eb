// `cnn`: the command-line entry point. Dispatches to the subcommands and turns every failure into one
// "cnn: error: ..." line on stderr (plus the library's HINT line, if any) and exit code 1; never an abort.
#include <cnn/distributed.h>
#include <cnn/error.h>
#include <fmt/format.h>

#include <cstdio>
#include <exception>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"cnn: train and inspect convolutional neural networks with cnnkit (PyTorch/timm-style flags)."};
  app.name("cnn");
  app.require_subcommand(1);
  app.set_version_flag("--version", "cnn (cnnkit) 0.1.0");
  cnn::cli::add_train_command(app);
  cnn::cli::add_finetune_command(app);
  cnn::cli::add_eval_command(app);
  cnn::cli::add_ensemble_command(app);
  cnn::cli::add_features_command(app);
  cnn::cli::add_ablate_command(app);
  cnn::cli::add_summary_command(app);
  cnn::cli::add_viz_command(app);
  cnn::cli::add_report_command(app);
  cnn::cli::add_rf_command(app);
  cnn::cli::add_shape_command(app);
  cnn::cli::add_run_command(app);
  cnn::cli::add_predict_command(app);
  cnn::cli::add_export_command(app);
  cnn::cli::add_quantize_command(app);
  cnn::cli::add_download_command(app);
  cnn::cli::add_stats_command(app);
  try {
    const auto known = app.get_subcommands([&](CLI::App* sub) { return argc > 1 && sub->get_name() == argv[1]; });
    if (argc > 1 && argv[1][0] != '-' && known.empty())
      throw cnn::Error(fmt::format("unknown command '{}'; the commands are train, finetune, eval, ensemble, features, "
                                   "ablate, summary, viz, report, rf, shape, run, predict, export, quantize, download "
                                   "and stats (see cnn --help)",
                                   argv[1]));
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::fprintf(stderr, "cnn: error: %s (see cnn --help)\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    if (cnn::distributed::world_size() > 1)  // under mpirun: which rank failed
      std::fprintf(stderr, "cnn: rank %d of %d: error: %s\n", cnn::distributed::rank(), cnn::distributed::world_size(),
                   e.what());
    else
      std::fprintf(stderr, "cnn: error: %s\n", e.what());
    return 1;
  } catch (...) {
    std::fprintf(stderr, "cnn: error: unknown failure\n");
    return 1;
  }
  return 0;
}
