using Recsys.Evaluation;
using Recsys.Recommenders;
using Recsys.Registry;

namespace Recsys.Retraining.Internal;

/// <summary>
/// Production of one model evaluated for the run's split (null without one), for the promotion of that model's
/// candidates. <paramref name="DataChanged"/>: the run's data holds interactions that version did not learn, so a
/// retrain of its own recipe is a refresh (ties go to the fresher model).
/// </summary>
internal sealed record ProductionEvaluation(ModelVersion Version, EvaluationResult Score, ModelPurpose Purpose, string How, bool DataChanged);
