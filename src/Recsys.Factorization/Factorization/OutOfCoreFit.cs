using Recsys.Recommenders;

namespace Recsys.Factorization;

/// <summary>What <see cref="BiasedMatrixFactorizationTrainer.FitToFile"/> trained, beside the model file it wrote.</summary>
/// <param name="Model">Predicts as the file's model does (for held-out RMSE); it lacks the users' training items, so its <see cref="IRecommender.Recommend"/> throws: load the file to recommend.</param>
/// <param name="Ratings">The distinct (user, item) ratings trained on.</param>
/// <param name="DuplicatesDropped">Duplicated pairs dropped (the one read last is kept).</param>
/// <param name="Groups">G, of the G × G blocks of the rating matrix.</param>
/// <param name="LargestBlockBytes">The largest block, in bytes: what each training thread held of the ratings.</param>
public sealed record OutOfCoreFit(IRecommender Model, long Ratings, long DuplicatesDropped, int Groups, long LargestBlockBytes);
