using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Recsys.AspNetCore;

/// <summary>
/// What only the HTTP layer needs: the admin key and the request size limit. <c>AddRecommender()</c> binds it from the
/// <c>Recsys</c> configuration section (beside <see cref="Serving.RecommenderOptions"/>).
/// </summary>
public sealed class RecommenderHttpOptions
{
    /// <summary>
    /// Gets or sets the key the admin endpoints (<c>/admin/*</c>, <c>/models/retrain</c>, <c>/runs</c>) require in
    /// <see cref="AdminApiKeyHeader"/>. When it is not set, those endpoints answer 403.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? AdminApiKey { get; set; }

    /// <summary>Gets or sets the header that carries the admin key.</summary>
    /// <value>The default value is <c>X-Api-Key</c>.</value>
    [Required]
    [MinLength(1)]
    public string AdminApiKeyHeader { get; set; } = "X-Api-Key";

    /// <summary>Gets or sets the largest request body accepted, in bytes.</summary>
    /// <value>The default value is 64 KiB.</value>
    [Range(1024, 1L << 30, ErrorMessage = "Recsys:MaxRequestBodyBytes must be between 1024 and 1 GiB.")]
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Gets or sets a value indicating whether the host warms its serving path before it reports ready: once it
    /// listens and a model is loaded, it sends itself recommendation, filtered and similar-item requests over
    /// loopback until the JIT has compiled the hot path (at least 20,000 requests, and four 250 ms rounds in a row compile
    /// fewer than 10 methods) or
    /// <see cref="WarmUpTimeout"/> passes; until then the <c>recsys-warm-up</c> readiness check is unhealthy. Those
    /// requests skip the response cache and the serving metrics. Skipped when the server has no HTTP address (an
    /// in-memory test server).
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool WarmUp { get; set; } = true;

    /// <summary>Gets or sets the longest warm-up; after it the host reports ready even if the JIT is still compiling.</summary>
    /// <value>The default value is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Recsys:WarmUpTimeout must be between 1 second and 10 minutes.")]
    public TimeSpan WarmUpTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>The source-generated validator of <see cref="RecommenderHttpOptions"/> (run at start-up).</summary>
[OptionsValidator]
internal sealed partial class RecommenderHttpOptionsValidator : IValidateOptions<RecommenderHttpOptions>;
