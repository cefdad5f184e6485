using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace Ebpf.ProtocolTracing.Benchmarks.Http2;

/// <summary>
/// The HPACK decoder HttpClient uses (<c>System.Net.Http.HPack.HPackDecoder</c>, internal to System.Net.Http),
/// called directly through <see cref="UnsafeAccessorAttribute"/> accessors, with a handler that only counts
/// the fields it is told about (no strings): the decoder's own cost, as in HttpClient before it builds headers.
/// </summary>
internal sealed class SystemNetHttpHpackDecoder
{
    private const string DecoderType = "System.Net.Http.HPack.HPackDecoder, System.Net.Http";
    private const string HandlerType = "System.Net.Http.IHttpStreamHeadersHandler, System.Net.Http";

    private readonly object _decoder;
    private readonly object _handler;
    private readonly FieldInfo _count;

    public SystemNetHttpHpackDecoder(int maxDynamicTableSize, int maxHeadersLength)
    {
        _decoder = Create(maxDynamicTableSize, maxHeadersLength);
        var handlerType = CountingHandlerType.Value;
        _handler = Activator.CreateInstance(handlerType)!;
        _count = handlerType.GetField("Count")!;
    }

    /// <summary>Fields reported so far (read in setup only: reflection).</summary>
    public int FieldsSeen => (int)_count.GetValue(_handler)!;

    /// <summary>Decodes one complete header block.</summary>
    public void Decode(ReadOnlySpan<byte> block) => Decode(_decoder, block, true, _handler);

    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    [return: UnsafeAccessorType(DecoderType)]
    private static extern object Create(int maxDynamicTableSize, int maxHeadersLength);

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "Decode")]
    private static extern void Decode([UnsafeAccessorType(DecoderType)] object decoder, ReadOnlySpan<byte> data, bool endHeaders, [UnsafeAccessorType(HandlerType)] object handler);

    /// <summary>
    /// A class implementing the internal handler interface, emitted into a dynamic assembly that may see
    /// System.Net.Http's internals (IgnoresAccessChecksToAttribute, as DispatchProxy does): every header
    /// callback adds one to its public Count field.
    /// </summary>
    private static readonly Lazy<Type> CountingHandlerType = new(() =>
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("HpackBenchmarkHandlers"), AssemblyBuilderAccess.Run);
        var module = assembly.DefineDynamicModule("HpackBenchmarkHandlers");

        var attribute = module.DefineType("System.Runtime.CompilerServices.IgnoresAccessChecksToAttribute", TypeAttributes.Public | TypeAttributes.Sealed, typeof(Attribute));
        var attributeConstructor = attribute.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, [typeof(string)]);
        var il = attributeConstructor.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Call, typeof(Attribute).GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, [])!);
        il.Emit(OpCodes.Ret);
        var attributeType = attribute.CreateType();
        assembly.SetCustomAttribute(new CustomAttributeBuilder(attributeType.GetConstructor([typeof(string)])!, ["System.Net.Http"]));

        var handlerInterface = typeof(HttpClient).Assembly.GetType("System.Net.Http.IHttpStreamHeadersHandler", throwOnError: true)!;
        var handler = module.DefineType("CountingHeadersHandler", TypeAttributes.Public | TypeAttributes.Sealed, typeof(object), [handlerInterface]);
        var count = handler.DefineField("Count", typeof(int), FieldAttributes.Public);
        foreach (var method in handlerInterface.GetMethods())
        {
            var parameters = Array.ConvertAll(method.GetParameters(), p => p.ParameterType);
            var implementation = handler.DefineMethod(method.Name, MethodAttributes.Public | MethodAttributes.Virtual | MethodAttributes.Final | MethodAttributes.HideBySig | MethodAttributes.NewSlot, method.ReturnType, parameters);
            il = implementation.GetILGenerator();
            if (method.Name != "OnHeadersComplete")
            {
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldfld, count);
                il.Emit(OpCodes.Ldc_I4_1);
                il.Emit(OpCodes.Add);
                il.Emit(OpCodes.Stfld, count);
            }

            il.Emit(OpCodes.Ret);
            handler.DefineMethodOverride(implementation, method);
        }

        return handler.CreateType();
    });
}
