# Build the Windows one-folder bundle (dist\Confide\Confide.exe and confide-cli.exe), then the
# installer with Inno Setup (dist\Confide-<version>-setup.exe) if ISCC.exe is installed.
# Run from a PowerShell prompt on Windows 10/11 with Python 3.11-3.13 (python.org build):
#   powershell -ExecutionPolicy Bypass -File packaging\build-windows.ps1
# Sign afterwards (see packaging\SIGNING.md) before the installer leaves the build machine.
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

# The check IT will run after installing, run here first. No credential store questions on
# a build agent: the key-file opt-in, in a folder of our own.
$Scratch = Join-Path $env:TEMP ("confide-build-" + [guid]::NewGuid())
New-Item -ItemType Directory $Scratch | Out-Null
& "dist\Confide\confide-cli.exe" --self-test --device-key-file (Join-Path $Scratch "device.key")
$SelfTest = $LASTEXITCODE
Remove-Item -Recurse -Force $Scratch
if ($SelfTest -ne 0) { throw "the bundle's --self-test failed" }

$Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe"
if (Test-Path $Iscc) {
    & $Iscc "/DAppVersion=$Version" "packaging\confide.iss"
    if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
    Write-Host "Built dist\Confide and dist\Confide-$Version-setup.exe"
} else {
    Write-Host "Built dist\Confide. Install Inno Setup 6 to make the installer (packaging\confide.iss)."
}
