using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Bento.Runtime.Containers;

/// <summary>Container names: the grammar Docker accepts, and generated adjective_noun names when none is given.</summary>
internal static partial class ContainerNames
{
    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    private static partial Regex Grammar();

    public static bool IsValid(string name) => name.Length <= 253 && Grammar().IsMatch(name);

    private static readonly string[] Adjectives =
    [
        "amber", "brisk", "calm", "crisp", "dapper", "eager", "fluffy", "gentle", "golden", "hearty", "humble",
        "jolly", "keen", "lively", "mellow", "nimble", "plucky", "quiet", "rustic", "savory", "silky", "snug",
        "spicy", "steady", "sunny", "tangy", "tender", "tidy", "toasty", "umami", "velvet", "warm", "witty", "zesty",
    ];

    private static readonly string[] Nouns =
    [
        "adzuki", "burdock", "daikon", "dashi", "edamame", "gyoza", "hijiki", "kombu", "konbu", "korokke", "mochi",
        "natto", "nori", "onigiri", "panko", "ponzu", "ramen", "renkon", "sansho", "satsuma", "shiso", "soba",
        "takuan", "tamago", "tempura", "tofu", "tonkatsu", "udon", "umeboshi", "wakame", "wasabi", "yuba", "yuzu",
    ];

    public static string Generate() =>
        Adjectives[RandomNumberGenerator.GetInt32(Adjectives.Length)] + "_" + Nouns[RandomNumberGenerator.GetInt32(Nouns.Length)];

    /// <summary>64 random hex digits, like Docker's ids.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
