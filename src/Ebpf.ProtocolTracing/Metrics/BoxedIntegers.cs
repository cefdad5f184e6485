using System.Globalization;

namespace Ebpf.ProtocolTracing.Metrics;

/// <summary>Pre-boxed small integers (status codes, ports below 1024 … ) so tags do not allocate per record.</summary>
internal static class BoxedIntegers
{
    private const int Cached = 1024;
    private static readonly object[] Boxes = CreateBoxes();
    private static readonly string[] Texts = CreateTexts();

    /// <summary>A boxed <paramref name="value"/>; shared for small values.</summary>
    public static object Get(int value) => (uint)value < Cached ? Boxes[value] : value;

    /// <summary><paramref name="value"/> as invariant text; shared for small values.</summary>
    public static string GetText(int value) => (uint)value < Cached ? Texts[value] : value.ToString(CultureInfo.InvariantCulture);

    private static object[] CreateBoxes()
    {
        var boxes = new object[Cached];
        for (var i = 0; i < boxes.Length; i++)
        {
            boxes[i] = i;
        }

        return boxes;
    }

    private static string[] CreateTexts()
    {
        var texts = new string[Cached];
        for (var i = 0; i < texts.Length; i++)
        {
            texts[i] = i.ToString(CultureInfo.InvariantCulture);
        }

        return texts;
    }
}
