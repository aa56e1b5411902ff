using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Granary.PowerShellModule.Tests;

/// <summary>
/// Reads the module assembly with System.Reflection.Metadata: no PowerShell, no loading of the
/// module's code — only its [Cmdlet], [Parameter] and [Alias] attributes.
/// </summary>
internal static class ModuleMetadata
{
    public static IReadOnlyList<CmdletShape> Read(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        MetadataReader reader = pe.GetMetadataReader();
        var provider = new AttributeTypes();
        var cmdlets = new List<CmdletShape>();
        foreach (TypeDefinitionHandle handle in reader.TypeDefinitions)
        {
            TypeDefinition type = reader.GetTypeDefinition(handle);
            CustomAttributeValue<string>? cmdlet = Attributes(reader, type.GetCustomAttributes(), provider).Where(a => a.Name == "CmdletAttribute").Select(a => (CustomAttributeValue<string>?)a.Value).FirstOrDefault();
            if (cmdlet is not { } value)
            {
                continue;
            }

            var parameters = new List<ParameterShape>();
            foreach (PropertyDefinitionHandle propertyHandle in type.GetProperties())
            {
                PropertyDefinition property = reader.GetPropertyDefinition(propertyHandle);
                string propertyName = reader.GetString(property.Name);
                string propertyType = property.DecodeSignature(new SignatureTypes(), null).ReturnType;
                var attributes = Attributes(reader, property.GetCustomAttributes(), provider).ToList();
                var aliases = attributes.Where(a => a.Name == "AliasAttribute")
                    .SelectMany(a => ((ImmutableArray<CustomAttributeTypedArgument<string>>)a.Value.FixedArguments[0].Value!).Select(v => (string)v.Value!)).ToList();
                foreach (var (_, parameter) in attributes.Where(a => a.Name == "ParameterAttribute"))
                {
                    parameters.Add(new ParameterShape(
                        propertyName,
                        propertyType,
                        Named<string>(parameter, "ParameterSetName") ?? "__AllParameterSets",
                        Named<bool>(parameter, "Mandatory"),
                        Named<int?>(parameter, "Position") ?? int.MinValue,
                        Named<bool>(parameter, "ValueFromPipeline"),
                        Named<bool>(parameter, "ValueFromPipelineByPropertyName"),
                        aliases));
                }
            }

            cmdlets.Add(new CmdletShape(
                reader.GetString(type.Name),
                (string)value.FixedArguments[0].Value!,
                (string)value.FixedArguments[1].Value!,
                Named<bool>(value, "SupportsShouldProcess"),
                Named<int?>(value, "ConfirmImpact") ?? 2,
                Named<string>(value, "DefaultParameterSetName"),
                parameters));
        }

        return cmdlets;
    }

    private static T? Named<T>(CustomAttributeValue<string> value, string name) =>
        value.NamedArguments.Where(a => a.Name == name).Select(a => (T?)a.Value).FirstOrDefault();

    private static IEnumerable<(string Name, CustomAttributeValue<string> Value)> Attributes(MetadataReader reader, CustomAttributeHandleCollection handles, AttributeTypes provider)
    {
        foreach (CustomAttributeHandle handle in handles)
        {
            CustomAttribute attribute = reader.GetCustomAttribute(handle);
            string name = attribute.Constructor.Kind switch
            {
                HandleKind.MemberReference => TypeName(reader, reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent),
                HandleKind.MethodDefinition => reader.GetString(reader.GetTypeDefinition(reader.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType()).Name),
                _ => string.Empty,
            };
            if (name is "CmdletAttribute" or "ParameterAttribute" or "AliasAttribute")
            {
                yield return (name, attribute.DecodeValue(provider));
            }
        }
    }

    private static string TypeName(MetadataReader reader, EntityHandle handle) => handle.Kind == HandleKind.TypeReference
        ? reader.GetString(reader.GetTypeReference((TypeReferenceHandle)handle).Name)
        : string.Empty;

    /// <summary>Attribute arguments: the enums the cmdlet attributes use (ConfirmImpact) are ints.</summary>
    private sealed class AttributeTypes : ICustomAttributeTypeProvider<string>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();

        public string GetSystemType() => "System.Type";

        public string GetSZArrayType(string elementType) => elementType + "[]";

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeDefinition(handle).Name);

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeReference(handle).Name);

        public string GetTypeFromSerializedName(string name) => name;

        public PrimitiveTypeCode GetUnderlyingEnumType(string type) => PrimitiveTypeCode.Int32;

        public bool IsSystemType(string type) => type == "System.Type";
    }

    /// <summary>Property types, by simple name (string[], SwitchParameter, GranarySession, ...).</summary>
    private sealed class SignatureTypes : ISignatureTypeProvider<string, object?>
    {
        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[,]";

        public string GetByReferenceType(string elementType) => elementType + "&";

        public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";

        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) =>
            genericType.StartsWith("Nullable", StringComparison.Ordinal) ? typeArguments[0] + "?" : $"{genericType}<{string.Join(",", typeArguments)}>";

        public string GetGenericMethodParameter(object? genericContext, int index) => $"!!{index}";

        public string GetGenericTypeParameter(object? genericContext, int index) => $"!{index}";

        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;

        public string GetPinnedType(string elementType) => elementType;

        public string GetPointerType(string elementType) => elementType + "*";

        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode switch
        {
            PrimitiveTypeCode.String => "string",
            PrimitiveTypeCode.Int64 => "long",
            PrimitiveTypeCode.Boolean => "bool",
            PrimitiveTypeCode.Object => "object",
            _ => typeCode.ToString(),
        };

        public string GetSZArrayType(string elementType) => elementType + "[]";

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeDefinition(handle).Name);

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            string name = reader.GetString(reader.GetTypeReference(handle).Name);
            int tick = name.IndexOf('`', StringComparison.Ordinal);
            return tick < 0 ? name : name[..tick];
        }

        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) => "spec";
    }
}
