//! Writes `Repo`'s forwarders so each store method is declared once: every
//! `pub async fn` returning `StoreResult<..>` in an `impl Store` block under
//! `src/backend/store/` becomes a `Repo` method with the same signature and doc
//! comments that calls the backend in use. `lib.rs` includes the result.

use std::path::{Path, PathBuf};
use std::{env, fs};

use quote::quote;

const STORE_DIR: &str = "src/backend/store";

fn main() {
    println!("cargo:rerun-if-changed={STORE_DIR}");
    let mut files: Vec<PathBuf> = fs::read_dir(STORE_DIR)
        .expect("read src/backend/store")
        .map(|e| e.expect("read a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    // A stable order keeps the generated file (and so the build) reproducible.
    files.sort();
    let mut methods = Vec::new();
    for path in &files {
        let text = fs::read_to_string(path).expect("read a store file");
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for item in file.items {
            let syn::Item::Impl(block) = item else {
                continue;
            };
            if block.trait_.is_some() || !is_store(&block.self_ty) {
                continue;
            }
            for item in block.items {
                if let syn::ImplItem::Fn(f) = item
                    && matches!(f.vis, syn::Visibility::Public(_))
                    && f.sig.asyncness.is_some()
                    && returns_store_result(&f.sig.output)
                {
                    methods.push(forwarder(path, f));
                }
            }
        }
    }
    let out = quote! {
        impl Repo {
            #(#methods)*
        }
    };
    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("repo_methods.rs");
    fs::write(dest, out.to_string()).expect("write repo_methods.rs");
}

fn is_store(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident("Store"))
}

fn returns_store_result(out: &syn::ReturnType) -> bool {
    match out {
        syn::ReturnType::Type(_, ty) => matches!(
            &**ty,
            syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "StoreResult")
        ),
        syn::ReturnType::Default => false,
    }
}

fn forwarder(path: &Path, f: syn::ImplItemFn) -> proc_macro2::TokenStream {
    let docs = f.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let mut sig = f.sig.clone();
    let name = &sig.ident;
    let mut args = Vec::new();
    for input in &mut sig.inputs {
        let syn::FnArg::Typed(arg) = input else {
            continue;
        };
        let syn::Pat::Ident(pat) = &mut *arg.pat else {
            panic!(
                "{}: `{name}` takes a pattern argument; forwarders need plain names",
                path.display()
            );
        };
        // The forwarder only passes the value on.
        pat.mutability = None;
        args.push(pat.ident.clone());
    }
    // A name no store method uses for an argument, so it shadows none.
    let store = quote::format_ident!("backend_store");
    assert!(
        !args.contains(&store),
        "{}: `{name}` has an argument named `{store}`",
        path.display()
    );
    quote! {
        #(#docs)*
        pub #sig {
            match &self.0 {
                Inner::Sqlite(#store) => #store.#name(#(#args),*).await,
                Inner::Postgres(#store) => #store.#name(#(#args),*).await,
            }
        }
    }
}
