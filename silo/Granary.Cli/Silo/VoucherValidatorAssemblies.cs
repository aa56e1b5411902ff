using System.Reflection;
using System.Runtime.Loader;
using Granary.Transfers.Vouchers;

namespace Granary.Cli.Silo;

/// <summary>
/// Operators' own voucher types: <c>--voucher-validator ASSEMBLY</c> loads an assembly and registers
/// every public, non-abstract <see cref="IVoucherValidator"/> it exports that has a public
/// parameterless constructor (example: <c>examples/Granary.Examples.Validators</c>).
/// </summary>
internal static class VoucherValidatorAssemblies
{
    /// <summary>Loads the validators of each assembly in <paramref name="paths"/> into <paramref name="registry"/>.</summary>
    /// <exception cref="InvalidDataException">A file is missing, is not an assembly, or exports no usable validator; the message names it.</exception>
    /// <exception cref="ArgumentException">Two validators claim one voucher type.</exception>
    public static IReadOnlyList<string> Load(IEnumerable<string> paths, VoucherRegistry registry)
    {
        var loaded = new List<string>();
        foreach (string path in paths)
        {
            string full = Path.GetFullPath(path);
            Assembly assembly;
            try
            {
                assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(full);
            }
            catch (Exception error) when (error is FileNotFoundException or BadImageFormatException or FileLoadException)
            {
                throw new InvalidDataException($"--voucher-validator {path}: {(error is FileNotFoundException ? "no such file" : "not a .NET assembly this silo can load")} ({error.Message})", error);
            }

            List<Type> found;
            try
            {
                found = [.. assembly.GetExportedTypes().Where(t => !t.IsAbstract && typeof(IVoucherValidator).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)];
            }
            catch (Exception error) when (error is FileNotFoundException or FileLoadException or ReflectionTypeLoadException or TypeLoadException)
            {
                // A dependency the silo does not ship: the validator must bring it beside itself.
                throw new InvalidDataException($"--voucher-validator {path}: its types cannot be loaded ({error.Message})", error);
            }

            if (found.Count == 0)
            {
                throw new InvalidDataException($"--voucher-validator {path}: the assembly exports no public IVoucherValidator with a parameterless constructor.");
            }

            foreach (Type type in found)
            {
                var validator = (IVoucherValidator)Activator.CreateInstance(type)!;
                registry.Register(validator);
                loaded.Add($"{validator.VoucherType} ({type.FullName})");
            }
        }

        return loaded;
    }
}
