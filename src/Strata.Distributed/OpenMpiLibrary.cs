using System.Runtime.InteropServices;

namespace Strata.Distributed;

/// <summary>
/// Open MPI's C API, loaded at run time from <c>libmpi.so.40</c> (Open MPI 3 and 4; <see cref="PathVariable"/>
/// overrides the file) and called through function pointers. Open MPI's handles are pointers to exported objects —
/// MPI_COMM_WORLD is <c>&amp;ompi_mpi_comm_world</c>, MPI_FLOAT <c>&amp;ompi_mpi_float</c>, MPI_SUM
/// <c>&amp;ompi_mpi_op_sum</c> — so a handle is the address of its data symbol. MPICH's handles are integer constants
/// (another ABI), which this class does not speak: MPICH is refused with that reason.
/// </summary>
internal sealed unsafe class OpenMpiLibrary
{
    /// <summary>The environment variable that names the Open MPI library file to load instead of libmpi.so.40.</summary>
    public const string PathVariable = "STRATA_MPI_LIBRARY";

    public const string LibraryName = "libmpi.so.40";
    public const int Success = 0;
    public const int ThreadSerialized = 2;
    /// <summary>Open MPI's MPI_IN_PLACE, <c>(void*)1</c>.</summary>
    public static readonly void* InPlace = (void*)1;

    private readonly nint _library;

    public readonly nint CommWorld, Float, Double, Sum, ErrorsReturn;
    public readonly delegate* unmanaged<int*, int> Initialized, Finalized;
    public readonly delegate* unmanaged<int*, byte***, int, int*, int> InitThread;
    public readonly delegate* unmanaged<int> Finalize;
    public readonly delegate* unmanaged<nint, nint, int> CommSetErrhandler;
    public readonly delegate* unmanaged<nint, int*, int> CommRank, CommSize;
    public readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int> Iallreduce;
    public readonly delegate* unmanaged<void*, int, nint, int, nint, nint*, int> Ibcast;
    public readonly delegate* unmanaged<void*, int, nint, void*, int, nint, nint, nint*, int> Iallgather;
    public readonly delegate* unmanaged<nint, nint*, int> Ibarrier;
    public readonly delegate* unmanaged<nint*, int*, void*, int> Test;
    public readonly delegate* unmanaged<int, byte*, int*, int> ErrorString;

    private OpenMpiLibrary(nint library)
    {
        _library = library;
        CommWorld = Symbol("ompi_mpi_comm_world");
        Float = Symbol("ompi_mpi_float");
        Double = Symbol("ompi_mpi_double");
        Sum = Symbol("ompi_mpi_op_sum");
        ErrorsReturn = Symbol("ompi_mpi_errors_return");
        Initialized = (delegate* unmanaged<int*, int>)Symbol("MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)Symbol("MPI_Finalized");
        InitThread = (delegate* unmanaged<int*, byte***, int, int*, int>)Symbol("MPI_Init_thread");
        Finalize = (delegate* unmanaged<int>)Symbol("MPI_Finalize");
        CommSetErrhandler = (delegate* unmanaged<nint, nint, int>)Symbol("MPI_Comm_set_errhandler");
        CommRank = (delegate* unmanaged<nint, int*, int>)Symbol("MPI_Comm_rank");
        CommSize = (delegate* unmanaged<nint, int*, int>)Symbol("MPI_Comm_size");
        Iallreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int>)Symbol("MPI_Iallreduce");
        Ibcast = (delegate* unmanaged<void*, int, nint, int, nint, nint*, int>)Symbol("MPI_Ibcast");
        Iallgather = (delegate* unmanaged<void*, int, nint, void*, int, nint, nint, nint*, int>)Symbol("MPI_Iallgather");
        Ibarrier = (delegate* unmanaged<nint, nint*, int>)Symbol("MPI_Ibarrier");
        Test = (delegate* unmanaged<nint*, int*, void*, int>)Symbol("MPI_Test");
        ErrorString = (delegate* unmanaged<int, byte*, int*, int>)Symbol("MPI_Error_string");
    }

    /// <summary>Loads Open MPI, or explains why it cannot: not installed, MPICH instead, or not Open MPI.</summary>
    /// <exception cref="MpiUnavailableException">No usable Open MPI library.</exception>
    public static OpenMpiLibrary Load()
    {
        string name = Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } given ? given : LibraryName;
        if (!NativeLibrary.TryLoad(name, out nint library))
        {
            string mpich = NativeLibrary.TryLoad("libmpich.so.12", out nint other) && Release(other)
                ? " MPICH is installed, but Strata.Distributed does not support it yet (its handles are integer constants, another ABI than Open MPI's); install Open MPI beside it."
                : "";
            throw new MpiUnavailableException(
                $"Open MPI's library {name} was not found, so there is no MPI to train on.{mpich} Install Open MPI " +
                $"(Debian, Ubuntu: apt-get install openmpi-bin) and start the ranks with mpirun, or set {PathVariable} to the path of libmpi.so.");
        }
        if (!NativeLibrary.TryGetExport(library, "ompi_mpi_comm_world", out _))
        {
            NativeLibrary.Free(library);
            throw new MpiUnavailableException($"{name} is not Open MPI's library (it has no ompi_mpi_comm_world); Strata.Distributed supports Open MPI only for now.");
        }
        return new OpenMpiLibrary(library);
    }

    /// <summary>The message of an MPI error code.</summary>
    public string Describe(int code)
    {
        var text = stackalloc byte[512];
        int length = 0;
        return ErrorString(code, text, &length) == Success ? $"MPI error {code}: {new string((sbyte*)text, 0, length)}" : $"MPI error {code}";
    }

    private static bool Release(nint library)
    {
        NativeLibrary.Free(library);
        return true;
    }

    private nint Symbol(string name) =>
        NativeLibrary.TryGetExport(_library, name, out nint address) ? address
            : throw new MpiUnavailableException($"Open MPI's library lacks {name}: Strata.Distributed needs Open MPI 3 or later (MPI-3's non-blocking collectives).");
}
