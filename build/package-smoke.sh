#!/usr/bin/env bash
# Packs Microsoft.ML.Attention.Engine and Microsoft.ML.Attention into a local folder feed, restores them into a fresh
# console project (outside this repository, so none of its build files apply) that references only them and
# Microsoft.ML, and runs it (build/package-smoke/Program.cs): it checks the packages' contents and dependencies, then
# runs a pipeline. Prints "package smoke: passed" or exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

version="0.1.0-smoke.$(date +%s).$$"
work=$(mktemp -d)
feed="$work/feed"
cleanup() {
  rm -rf "$work"
  # The unique smoke versions would pile up in the global package folder.
  for id in microsoft.ml.attention microsoft.ml.attention.engine; do
    rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/$id/$version"
  done
}
trap cleanup EXIT

for project in src/Microsoft.ML.Attention.Engine src/Microsoft.ML.Attention; do
  dotnet pack "$project" -c Release -o "$feed" -p:Version="$version" --nologo -v quiet
done

app="$work/app"
mkdir -p "$app"
cat > "$app/NuGet.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML
cat > "$app/SmokeApp.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.ML" Version="5.0.1" />
    <PackageReference Include="Microsoft.ML.Attention" Version="$version" />
  </ItemGroup>
</Project>
XML
cp "$root/build/package-smoke/Program.cs" "$app/Program.cs"
output=$(dotnet run --project "$app/SmokeApp.csproj" -c Release -- "$feed" "$version" 2>&1) || { echo "$output" >&2; echo "package smoke: the app failed" >&2; exit 1; }
echo "$output"
grep -q "SMOKE OK" <<<"$output" || { echo "package smoke: failed" >&2; exit 1; }
echo "package smoke: passed"
