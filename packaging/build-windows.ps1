# Build the Windows one-folder bundle (dist\Confide\Confide.exe and confide-cli.exe), sign it,
# check it, then the installer with Inno Setup (dist\Confide-<version>-setup.exe), signed too.
# Run from a PowerShell prompt on Windows 10/11 with Python 3.11-3.13 (python.org build):
#   powershell -ExecutionPolicy Bypass -File packaging\build-windows.ps1
# Signed release (packaging\SIGNING.md): set
#   $env:SIGN_SUBJECT  = "<certificate subject>"       (the code-signing certificate, on its token)
#   $env:SIGN_TIMESTAMP = "http://<your CA's timestamp server>"
# signtool.exe (Windows SDK) must be on the PATH. Without SIGN_SUBJECT the build is unsigned,
# for testing only (SmartScreen and AppLocker publisher rules refuse it).
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$Python = if ($env:PYTHON) { $env:PYTHON } else { "py -3.11" }
$Venv = ".venv-package"
$Lock = "packaging\requirements.lock"

if (-not (Test-Path "$Venv\Scripts\python.exe")) {
    Invoke-Expression "$Python -m venv $Venv"
}
# Exactly what the lock file names, hashes checked.
& "$Venv\Scripts\python.exe" -m pip install --quiet --require-hashes -r $Lock
if ($LASTEXITCODE -ne 0) { throw "pip could not install $Lock" }
$Version = & "$Venv\Scripts\python.exe" -c "import tomllib; print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])"

$env:PYTHONPATH = (Get-Location).Path
& "$Venv\Scripts\python.exe" -m PyInstaller --noconfirm --clean --log-level WARN `
    --distpath dist --workpath build\pyinstaller packaging\confide.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }
Copy-Item LICENSE, resources\hub\postgres-setup.sql dist\Confide\
& "$Venv\Scripts\python.exe" packaging\notices.py dist\Confide
if ($LASTEXITCODE -ne 0) { throw "the third-party notices could not be written (see above)" }

# Signing, between PyInstaller and the installer: both executables and every .exe/.dll/.pyd
# that does not already carry a valid signature (Qt's and Python's own usually do).
$SignArgs = $null
if ($env:SIGN_SUBJECT) {
    if (-not $env:SIGN_TIMESTAMP) { throw "SIGN_TIMESTAMP is needed with SIGN_SUBJECT (signatures must outlive the certificate)" }
    $SignArgs = @("sign", "/fd", "SHA256", "/tr", $env:SIGN_TIMESTAMP, "/td", "SHA256", "/n", $env:SIGN_SUBJECT)
    $Unsigned = Get-ChildItem dist\Confide -Recurse -Include *.exe, *.dll, *.pyd |
        Where-Object { (Get-AuthenticodeSignature $_.FullName).Status -ne "Valid" }
    foreach ($File in $Unsigned) {
        & signtool.exe @SignArgs $File.FullName
        if ($LASTEXITCODE -ne 0) { throw "signtool could not sign $($File.FullName)" }
    }
    foreach ($Exe in "dist\Confide\Confide.exe", "dist\Confide\confide-cli.exe") {
        & signtool.exe verify /pa /v $Exe
        if ($LASTEXITCODE -ne 0) { throw "$Exe is not validly signed" }
    }
} else {
    Write-Warning "SIGN_SUBJECT is not set: this build is unsigned (testing only)."
}

# The check IT will run after installing, run here on the signed files. No credential store
# questions on a build agent: the key-file opt-in, in a folder of our own.
$Scratch = Join-Path $env:TEMP ("confide-build-" + [guid]::NewGuid())
New-Item -ItemType Directory $Scratch | Out-Null
& "dist\Confide\confide-cli.exe" --self-test --device-key-file (Join-Path $Scratch "device.key")
$SelfTest = $LASTEXITCODE
Remove-Item -Recurse -Force $Scratch
if ($SelfTest -ne 0) { throw "the bundle's --self-test failed" }

$Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe"
if (Test-Path $Iscc) {
    $IsccArgs = @("/DAppVersion=$Version")
    if ($SignArgs) {
        # Inno Setup signs the installer and its uninstaller with the same command ($f: the file).
        $IsccArgs += "/DSigned"
        $IsccArgs += "/Sconfide=signtool.exe " + (($SignArgs | ForEach-Object { '$q' + $_ + '$q' }) -join " ") + ' $f'
    }
    & $Iscc @IsccArgs "packaging\confide.iss"
    if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
    $Setup = "dist\Confide-$Version-setup.exe"
    if ($SignArgs) {
        & signtool.exe verify /pa $Setup
        if ($LASTEXITCODE -ne 0) { throw "$Setup is not validly signed" }
    }
    (Get-FileHash $Setup -Algorithm SHA256).Hash.ToLower() + "  " + (Split-Path $Setup -Leaf) |
        Set-Content "$Setup.sha256" -Encoding ascii
    Write-Host "Built dist\Confide and $Setup"
} else {
    Write-Host "Built dist\Confide. Install Inno Setup 6 to make the installer (packaging\confide.iss)."
}
