// The whole public API in one include: the engine and its concepts, the
// component families, mixtures, hidden Markov models, the generic
// initialiser, the model registry and the file formats. The kernels are
// not public (src/families/); the few internals that public templates and
// classes need are in emkit/internal/ and are not part of it; the testing laws
// (emkit/testing/model_laws.h) are included on their own by test code.
#ifndef EMKIT_EMKIT_H_
#define EMKIT_EMKIT_H_

#include "emkit/constants.h"
#include "emkit/error.h"
#include "emkit/matrix.h"
#include "emkit/random.h"
#include "emkit/thread_pool.h"
#include "emkit/row_blocks.h"
#include "emkit/model.h"
#include "emkit/report.h"
#include "emkit/options.h"
#include "emkit/fit_progress.h"
#include "emkit/context.h"
#include "emkit/fit.h"
#include "emkit/engine/any_executor.h"
#include "emkit/engine/serial_executor.h"
#include "emkit/engine/threaded_executor.h"
#include "emkit/engine/plain_em.h"
#include "emkit/engine/stepwise_em.h"
#include "emkit/engine/restart_driver.h"
#include "emkit/family.h"
#include "emkit/parameters.h"
#include "emkit/statistics_codec.h"
#include "emkit/option_table.h"
#include "emkit/initialization.h"
#include "emkit/kmeans.h"
#include "emkit/mixture.h"
#include "emkit/mixture_fit.h"
#include "emkit/online_fit.h"

#include "emkit/families/bernoulli.h"
#include "emkit/families/categorical.h"
#include "emkit/families/gaussian_diagonal.h"
#include "emkit/families/gaussian_float32.h"
#include "emkit/families/gaussian_full.h"
#include "emkit/families/gaussian_group_tied.h"
#include "emkit/families/gaussian_mixture_emission.h"
#include "emkit/families/gaussian_tied.h"
#include "emkit/families/poisson.h"
#include "emkit/families/von_mises_fisher.h"

#include "emkit/family_fit.h"
#include "emkit/discrete_mixture.h"
#include "emkit/gaussian_mixture.h"

#include "emkit/hmm.h"
#include "emkit/hmm/discrete_hmm.h"
#include "emkit/hmm/gaussian_hmm.h"
#include "emkit/hmm/gmm_hmm.h"

#include "emkit/model_registry.h"
#include "emkit/io/atomic_file.h"
#include "emkit/io/checkpoint.h"
#include "emkit/io/csv_writer.h"
#include "emkit/io/model_file.h"
#include "emkit/io/report_json.h"
#include "emkit/io/table.h"

#endif  // EMKIT_EMKIT_H_
