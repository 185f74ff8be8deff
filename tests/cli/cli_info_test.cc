// emkit info on a model file of every model kind of the registry: each
// component's (or state's) parameters appear under its own heading, and
// the arrays its components share once, after them.

#include <set>
#include <string>
#include <typeindex>
#include <typeinfo>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cli_fixture.h"
#include "emkit/io/model_file.h"
#include "emkit/model_registry.h"

namespace emkit::cli_testing {
namespace {

using ::testing::Not;

// A model file's JSON and what its summary must show.
struct InfoCase {
  std::string name;
  Json model;
  std::string family;  // the text of the "family:" line
  // Per component (or state) the ends of lines only its section shows.
  std::vector<std::vector<std::string>> sections;
  // Texts the summary shows anywhere (start and transition probabilities).
  std::vector<std::string> anywhere = {};
  // Texts of the "shared ...:" sections.
  std::vector<std::string> shared = {};
};

Json ModelFile(const std::string& kind) {
  return Json{{"format", "emkit-model"}, {"version", 1}, {"model", kind}};
}

// The keys of `rows` Gaussian components of one covariance structure
// ("tied" with `groups` covariances: 0 for one [D][D] matrix), and per row
// the texts that show it.
struct GaussianRows {
  Json keys;
  std::vector<std::vector<std::string>> texts;  // per row
  std::vector<std::string> shared;
};

GaussianRows Gaussians(const std::string& covariance, int rows, int groups = 0) {
  GaussianRows g;
  g.keys = Json{{"covariance_type", covariance}, {"n_features", 2}, {"reg_covar", 1e-6}};
  Json means = Json::array();
  Json covariances = Json::array();
  g.texts.resize(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    std::vector<std::string>& texts = g.texts[static_cast<std::size_t>(r)];
    means.push_back({1.5 + r, -2.25 - r});
    texts.push_back(fmt::format("means:      {}  {}", 1.5 + r, -2.25 - r));
    if (covariance == "full") {
      covariances.push_back(Json{{2.0 + r, 0.5}, {0.5, 1.0 + r}});
      texts.push_back(fmt::format("{}  0.5", 2 + r));
      texts.push_back(fmt::format("0.5  {}", 1 + r));
    } else if (covariance == "diag") {
      covariances.push_back({2.0 + r, 0.125 * (r + 1)});
      texts.push_back(fmt::format("covariances: {}  {}", 2 + r, 0.125 * (r + 1)));
    } else if (covariance == "spherical") {
      covariances.push_back(0.5 * (r + 1));
      texts.push_back(fmt::format("covariances: {}", 0.5 * (r + 1)));
    }
  }
  if (covariance == "tied" && groups == 0) {
    covariances = Json{{2.0, 0.5}, {0.5, 1.0}};
    g.shared = {"2  0.5", "0.5  1"};
  }
  for (int s = 0; s < groups; ++s) covariances.push_back(Json{{2.0 + s, 0.5}, {0.5, 1.0 + s}});
  g.keys["means"] = means;
  g.keys["covariances"] = covariances;
  return g;
}

// A two-state chain's keys and the texts that show them.
void AddChain(Json* model, std::vector<std::string>* texts) {
  (*model)["n_components"] = 2;
  (*model)["startprob"] = {0.375, 0.625};
  (*model)["transmat"] = Json{{0.875, 0.125}, {0.25, 0.75}};
  *texts = {"states:           2", "0.375  0.625", "0.875  0.125", "0.25  0.75"};
}

// Two components with the weights 0.25 and 0.75.
void AddWeights(Json* model, std::vector<std::vector<std::string>>* sections) {
  (*model)["n_components"] = 2;
  (*model)["weights"] = {0.25, 0.75};
  (*sections)[0].push_back("weight:     0.25");
  (*sections)[1].push_back("weight:     0.75");
}

std::vector<InfoCase> AllCases() {
  std::vector<InfoCase> cases;
  for (const std::string covariance : {"full", "diag", "spherical", "tied"}) {
    const std::string family = fmt::format("Gaussian, {} covariance", covariance);
    // A mixture.
    GaussianRows g = Gaussians(covariance, 2);
    InfoCase mixture{"gaussian_mixture_" + covariance, ModelFile("gaussian_mixture"), family,
                     g.texts, {}, g.shared};
    mixture.model.update(g.keys);
    AddWeights(&mixture.model, &mixture.sections);
    cases.push_back(mixture);
    // An HMM.
    InfoCase hmm{"gaussian_hmm_" + covariance, ModelFile("hmm"), family, g.texts, {},
                 g.shared};
    hmm.model["emission"] = "gaussian";
    hmm.model.update(g.keys);
    AddChain(&hmm.model, &hmm.anywhere);
    cases.push_back(hmm);
    // A GMM-HMM: two states of two mixture components each, state-major.
    const GaussianRows inner = Gaussians(covariance, 4, covariance == "tied" ? 2 : 0);
    InfoCase gmm{"gmm_hmm_" + covariance, ModelFile("hmm"),
                 fmt::format("Gaussian mixture, 2 components per state, {} covariance",
                             covariance),
                 {{"weights:    0.25  0.75"}, {"weights:    0.625  0.375"}}};
    gmm.model["emission"] = "gaussian_mixture";
    gmm.model["n_mix"] = 2;
    gmm.model["weights"] = Json{{0.25, 0.75}, {0.625, 0.375}};
    gmm.model.update(inner.keys);
    AddChain(&gmm.model, &gmm.anywhere);
    for (std::size_t s = 0; s < 2; ++s) {
      for (std::size_t j = 0; j < 2; ++j) {
        gmm.sections[s].push_back(fmt::format("    component {}:", j));
        for (const std::string& text : inner.texts[2 * s + j]) {
          gmm.sections[s].push_back("        " + text);
        }
      }
      if (covariance == "tied") {
        gmm.sections[s].push_back(fmt::format("{}  0.5", 2 + s));
        gmm.sections[s].push_back(fmt::format("0.5  {}", 1 + s));
      }
    }
    cases.push_back(gmm);
  }

  // The other families, each as a mixture and as an HMM's emissions.
  struct Family {
    std::string name;
    std::string description;
    Json keys;
    std::vector<std::vector<std::string>> texts;
  };
  const std::vector<Family> families = {
      {"bernoulli",
       "Bernoulli",
       {{"n_features", 2},
        {"pseudo_count", 1e-10},
        {"probabilities", Json{{0.125, 0.875}, {0.375, 0.625}}}},
       {{"probabilities: 0.125  0.875"}, {"probabilities: 0.375  0.625"}}},
      {"categorical",
       "categorical, 3 categories (counts layout)",
       {{"categorical_layout", "counts"},
        {"n_categories", 3},
        {"pseudo_count", 1e-10},
        {"sample_total", 4},
        {"probabilities", Json{{0.125, 0.375, 0.5}, {0.625, 0.25, 0.125}}}},
       {{"probabilities: 0.125  0.375  0.5"}, {"probabilities: 0.625  0.25  0.125"}}},
      {"poisson",
       "Poisson",
       {{"n_features", 2}, {"min_rate", 1e-10}, {"rates", Json{{1.5, 2.5}, {3.25, 0.75}}}},
       {{"rates:      1.5  2.5"}, {"rates:      3.25  0.75"}}},
      {"vmf",
       "von Mises-Fisher",
       {{"n_features", 2},
        {"max_concentration", 1e6},
        {"mean_directions", Json{{0.6, 0.8}, {-0.8, 0.6}}},
        {"concentrations", {2.5, 7.25}}},
       {{"mean_directions: 0.6  0.8", "concentrations: 2.5"},
        {"mean_directions: -0.8  0.6", "concentrations: 7.25"}}},
  };
  for (const Family& f : families) {
    InfoCase mixture{f.name + "_mixture", ModelFile(f.name + "_mixture"), f.description,
                     f.texts};
    mixture.model.update(f.keys);
    AddWeights(&mixture.model, &mixture.sections);
    cases.push_back(mixture);
    InfoCase hmm{f.name + "_hmm", ModelFile("hmm"), f.description, f.texts};
    hmm.model["emission"] = f.name;
    hmm.model.update(f.keys);
    AddChain(&hmm.model, &hmm.anywhere);
    cases.push_back(hmm);
  }
  return cases;
}

// The lines of `text` from the line `heading` to the next line that is not
// indented.
std::string Section(const std::string& text, const std::string& heading) {
  std::string out;
  bool in = false;
  for (const std::string& line : Lines(text)) {
    if (in && !line.empty() && line[0] != ' ') break;
    if (line == heading) in = true;
    if (in) out += line + "\n";
  }
  return out;
}

TEST_F(CliTest, InfoShowsEveryComponentOfEveryModelKind) {
  std::set<std::type_index> covered;
  for (const InfoCase& c : AllCases()) {
    SCOPED_TRACE(c.name);
    const std::string path = Write(c.name + ".json", c.model.dump());
    const AnyModel model = io::LoadAnyModel(path);
    covered.insert(VisitModel(model, [](const auto& m) { return std::type_index(typeid(m)); }));

    const Result r = Run({"info", path});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const bool is_hmm = c.model["model"] == "hmm";
    EXPECT_THAT(r.out, StartsWith(fmt::format("model:            {}\n",
                                              is_hmm ? "hidden Markov model" : "mixture")));
    EXPECT_THAT(r.out, HasSubstr("\nfamily:           " + c.family + "\n"));
    EXPECT_THAT(r.out, HasSubstr("\nfeatures:         "));
    EXPECT_THAT(r.out, HasSubstr("\nfree parameters:  "));
    for (const std::string& text : c.anywhere) EXPECT_THAT(r.out, HasSubstr(text));
    for (std::size_t k = 0; k < c.sections.size(); ++k) {
      const std::string section =
          Section(r.out, fmt::format("{} {}:", is_hmm ? "state" : "component", k));
      ASSERT_FALSE(section.empty()) << r.out;
      for (std::size_t other = 0; other < c.sections.size(); ++other) {
        for (const std::string& text : c.sections[other]) {
          if (other == k) {
            EXPECT_THAT(section, HasSubstr(text + "\n")) << r.out;
          } else if (text.find("component") == std::string::npos) {
            EXPECT_THAT(section, Not(HasSubstr(text + "\n"))) << r.out;
          }
        }
      }
    }
    const std::string shared = Section(r.out, "shared covariances:");
    EXPECT_EQ(shared.empty(), c.shared.empty()) << r.out;
    for (const std::string& text : c.shared) EXPECT_THAT(shared, HasSubstr(text)) << r.out;
  }

  // Every model type of the registry had its file.
  std::set<std::type_index> registry;
  ForEachFamily(MixtureFamilies{}, [&]<class F>(std::type_identity<F>) {
    registry.insert(std::type_index(typeid(Mixture<F>)));
  });
  ForEachFamily(HmmEmissionFamilies{}, [&]<class F>(std::type_identity<F>) {
    registry.insert(std::type_index(typeid(HiddenMarkovModel<F>)));
  });
  EXPECT_EQ(covered, registry);
}

}  // namespace
}  // namespace emkit::cli_testing
