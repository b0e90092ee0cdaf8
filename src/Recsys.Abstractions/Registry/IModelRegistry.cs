namespace Recsys.Registry;

/// <summary>
/// A model registry: models, numbered versions with checksum-verified artifacts, stages, aliases and an audit
/// history of every change. Every write is one transaction; implementations are safe for concurrent use, also
/// from several processes sharing one store.
/// </summary>
public interface IModelRegistry : IAsyncDisposable
{
    /// <summary>Creates a model, or returns it unchanged when it exists.</summary>
    /// <param name="name">The model name (any text; stored verbatim).</param>
    /// <param name="description">A description for a new model.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The model.</returns>
    Task<RegisteredModel> GetOrCreateModelAsync(string name, string? description, CancellationToken cancellationToken);

    /// <summary>Gets a model.</summary>
    /// <param name="name">The model name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The model.</returns>
    /// <exception cref="RegistryEntryNotFoundException">There is no such model.</exception>
    Task<RegisteredModel> GetModelAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Gets a model, or <see langword="null"/> when none has that name: the lookup for callers to whom a missing model
    /// is an ordinary answer (an empty registry, a name that may be an alias), instead of catching
    /// <see cref="RegistryEntryNotFoundException"/>.
    /// </summary>
    /// <param name="name">The model name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The model, or <see langword="null"/>.</returns>
    Task<RegisteredModel?> FindModelAsync(string name, CancellationToken cancellationToken);

    /// <summary>Lists the models that match <paramref name="search"/>, ordered by name, a page at a time.</summary>
    /// <param name="search">The filter and page; <see langword="null"/> for the first 100 models.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The models.</returns>
    Task<IReadOnlyList<RegisteredModel>> ListModelsAsync(ModelSearch? search, CancellationToken cancellationToken);

    /// <summary>
    /// Marks a <see cref="ModelVersionStatus.Pending"/> version <see cref="ModelVersionStatus.Failed"/> (its
    /// registration will never finish, for example because its process was killed). Other statuses are left alone.
    /// </summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version number.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether the version was pending and is now failed.</returns>
    Task<bool> FailPendingVersionAsync(string modelName, int version, CancellationToken cancellationToken);

    /// <summary>Replaces a model's description and/or tags.</summary>
    /// <param name="name">The model name.</param>
    /// <param name="description">The new description, or <see langword="null"/> to keep the current one.</param>
    /// <param name="tags">The new tags (they replace all current tags), or <see langword="null"/> to keep them.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The updated model.</returns>
    /// <exception cref="RegistryEntryNotFoundException">There is no such model.</exception>
    Task<RegisteredModel> UpdateModelAsync(string name, string? description, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken);

    /// <summary>Replaces a version's description and/or tags. Its artifact, metrics and lineage never change.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version number.</param>
    /// <param name="description">The new description, or <see langword="null"/> to keep the current one.</param>
    /// <param name="tags">The new tags (they replace all current tags), or <see langword="null"/> to keep them.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The updated version.</returns>
    /// <exception cref="RegistryEntryNotFoundException">There is no such model or version.</exception>
    Task<ModelVersion> UpdateVersionAsync(string modelName, int version, string? description, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken);

    /// <summary>
    /// Registers a new version: reserves the next number (status <see cref="ModelVersionStatus.Pending"/>), stores the
    /// artifact content-addressed by SHA-256 and marks the version <see cref="ModelVersionStatus.Ready"/>. Creates the
    /// model when needed. A failure marks the version <see cref="ModelVersionStatus.Failed"/>.
    /// </summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version's description.</param>
    /// <param name="artifact">
    /// The model file, read from its position to its end and streamed to the artifact store (never held in memory
    /// whole): a seekable stream (a file) is read twice, once for its SHA-256 and once to store it; any other stream
    /// is copied to a temporary file on the way. The stream stays open.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The ready version.</returns>
    Task<ModelVersion> RegisterVersionAsync(string modelName, NewModelVersion version, Stream artifact, CancellationToken cancellationToken);

    /// <summary>Gets a version.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version number.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The version.</returns>
    /// <exception cref="RegistryEntryNotFoundException">There is no such model or version.</exception>
    Task<ModelVersion> GetVersionAsync(string modelName, int version, CancellationToken cancellationToken);

    /// <summary>Lists a model's versions, newest first.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The versions.</returns>
    /// <exception cref="RegistryEntryNotFoundException">There is no such model.</exception>
    Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, CancellationToken cancellationToken);

    /// <summary>Moves a ready version to a stage, in one transaction, and records it in the history.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version number.</param>
    /// <param name="stage">The new stage.</param>
    /// <param name="archiveExisting">Whether the other versions in <paramref name="stage"/> move to <see cref="ModelStage.Archived"/>.</param>
    /// <param name="actor">Who makes the change.</param>
    /// <param name="reason">Why, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The version after the change.</returns>
    /// <exception cref="RegistryEntryNotFoundException">There is no such model or version.</exception>
    /// <exception cref="RegistryException">The version is not ready.</exception>
    Task<ModelVersion> TransitionStageAsync(string modelName, int version, ModelStage stage, bool archiveExisting, string actor, string? reason, CancellationToken cancellationToken);

    /// <summary>Points an alias (for example <c>champion</c>) at a ready version and records it.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="alias">The alias.</param>
    /// <param name="version">The version number.</param>
    /// <param name="actor">Who makes the change.</param>
    /// <param name="reason">Why, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The version the alias now points at.</returns>
    Task<ModelVersion> SetAliasAsync(string modelName, string alias, int version, string actor, string? reason, CancellationToken cancellationToken);

    /// <summary>Deletes an alias and records it.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="alias">The alias.</param>
    /// <param name="actor">Who makes the change.</param>
    /// <param name="reason">Why, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the alias is gone.</returns>
    /// <exception cref="RegistryEntryNotFoundException">There is no such model or alias.</exception>
    Task DeleteAliasAsync(string modelName, string alias, string actor, string? reason, CancellationToken cancellationToken);

    /// <summary>Returns the version in a stage (the most recently moved there when several are), or <see langword="null"/>.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="stage">The stage.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The version or <see langword="null"/>.</returns>
    Task<ModelVersion?> GetByStageAsync(string modelName, ModelStage stage, CancellationToken cancellationToken);

    /// <summary>Returns the version an alias points at, or <see langword="null"/>.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="alias">The alias.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The version or <see langword="null"/>.</returns>
    Task<ModelVersion?> GetByAliasAsync(string modelName, string alias, CancellationToken cancellationToken);

    /// <summary>Returns a model's history, oldest first.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changes.</returns>
    Task<IReadOnlyList<RegistryChange>> GetHistoryAsync(string modelName, CancellationToken cancellationToken);

    /// <summary>
    /// Puts back the version that was in <paramref name="stage"/> before the last version moved there (archiving the
    /// current one), in one transaction, and records it.
    /// </summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="stage">The stage to roll back.</param>
    /// <param name="actor">Who makes the change.</param>
    /// <param name="reason">Why, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The version now in the stage.</returns>
    /// <exception cref="RegistryException">The history has no earlier version for the stage.</exception>
    Task<ModelVersion> RollbackStageAsync(string modelName, ModelStage stage, string actor, string? reason, CancellationToken cancellationToken);

    /// <summary>Points an alias back at the version it pointed at before its last change (or restores a deleted alias), and records it.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="alias">The alias.</param>
    /// <param name="actor">Who makes the change.</param>
    /// <param name="reason">Why, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The version the alias now points at.</returns>
    /// <exception cref="RegistryException">The alias never pointed at another version.</exception>
    Task<ModelVersion> RollbackAliasAsync(string modelName, string alias, string actor, string? reason, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a version's artifact and keeps everything else (metadata, metrics, lineage, history): the version's
    /// status becomes <see cref="ModelVersionStatus.ArtifactDeleted"/> and the change is recorded. The stored bytes are
    /// removed when no other live version shares them (artifacts are content-addressed). A version in Production or
    /// Staging, or with an alias, is refused: move it to Archived (or drop the alias) first.
    /// </summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="actor">Who deletes it.</param>
    /// <param name="reason">Why (recorded in the history).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The version as it now is.</returns>
    /// <exception cref="RegistryEntryNotFoundException">The model or version does not exist.</exception>
    /// <exception cref="RegistryException">The version is in Production or Staging, has an alias, or is still pending.</exception>
    Task<ModelVersion> DeleteArtifactAsync(string modelName, int version, string actor, string? reason, CancellationToken cancellationToken);

    /// <summary>
    /// Records a promotion policy's decision about a version in the history (<see cref="RegistryChangeKind.PromotionDecided"/>,
    /// with the decision and its numbers as the reason), without changing anything else: the stage move that follows
    /// the decision is recorded as its own change.
    /// </summary>
    /// <param name="modelName">The model.</param>
    /// <param name="version">The candidate version decided about.</param>
    /// <param name="actor">Who decided (for example <c>run 20261207-…</c>).</param>
    /// <param name="decision">The decision and why.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the decision is recorded.</returns>
    /// <exception cref="RegistryEntryNotFoundException">The model or version does not exist.</exception>
    Task RecordPromotionDecisionAsync(string modelName, int version, string actor, string decision, CancellationToken cancellationToken);

    /// <summary>
    /// Opens a version's artifact as a stream straight from the artifact store (a file, a database row, a blob). The
    /// stream checks what it hands out: its size and SHA-256 are compared with what the registry recorded when it
    /// reaches its end, and a read that would go past the recorded size or ends short or on other bytes throws
    /// <see cref="ArtifactIntegrityException"/> — so a reader must read to the end before trusting the bytes.
    /// </summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version number.</param>
    /// <param name="cancellationToken">Cancels the opening (the stream's own reads take their own tokens).</param>
    /// <returns>The artifact, read once from the start; the caller disposes it.</returns>
    /// <exception cref="ArtifactIntegrityException">The artifact is missing (or, while reading, corrupt).</exception>
    /// <exception cref="RegistryException">The version is not <see cref="ModelVersionStatus.Ready"/>.</exception>
    Task<Stream> OpenArtifactAsync(string modelName, int version, CancellationToken cancellationToken);

    /// <summary>Streams every change after <paramref name="afterSequence"/>, then new ones as they happen, until cancelled.</summary>
    /// <param name="afterSequence">The last sequence already seen (0 for everything).</param>
    /// <param name="cancellationToken">Ends the stream.</param>
    /// <returns>The changes, in sequence order.</returns>
    IAsyncEnumerable<RegistryChange> WatchAsync(long afterSequence, CancellationToken cancellationToken);
}
